// Usage against the plan's limits, as the service page shows it: each
// meter is a share of its limit when the plan has one.
import { decimalBytes } from '@/shared/format/bandwidth'
import { formatBytes, formatNumber } from '@/shared/format/date'

export interface Meter {
  label: string
  value: string
  /** percent of the limit (0–100), or null when the plan sets none. */
  percent: number | null
  /** a count (websites in use): full is not a warning. */
  counted?: boolean
}

interface Quota {
  name: string
  used: number
  limit: number
  unit: 'bytes' | 'count'
}

interface Usage {
  cpu_percent: number
  memory_bytes: number
  disk_bytes: number
  network_rx_bytes: number
  network_tx_bytes: number
  quotas?: Quota[]
}

const quotaLabels: Record<string, string> = { diskspace: 'Disk', transfer: 'Traffic this month', websites: 'Websites', mailboxes: 'Mailboxes', mysqlDbs: 'Databases' }

/** quotaMeters are a hosting panel's allowances (disk, traffic, websites…); a limit of 0 is unlimited. */
export function quotaMeters(quotas: Quota[]): Meter[] {
  return quotas.map((q) => {
    const show = (n: number) => (q.unit === 'bytes' ? formatBytes(n) : formatNumber(n))
    return { label: quotaLabels[q.name] ?? q.name, value: `${show(q.used)} of ${q.limit > 0 ? show(q.limit) : 'unlimited'}`, percent: pct(q.used, q.limit), counted: q.unit === 'count' }
  })
}

const GiB = 1024 ** 3
const pct = (used: number, limit: number | undefined) => (limit && limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : null)

export function meters(u: Usage, limits: Record<string, number>): Meter[] {
  if (u.quotas?.length) return quotaMeters(u.quotas)
  const cores = limits.cpu_cores ?? 0
  // Panels report CPU per core (200 % is two busy cores).
  const cpuShare = cores > 0 ? u.cpu_percent / cores : u.cpu_percent
  const transfer = u.network_rx_bytes + u.network_tx_bytes
  return [
    { label: 'CPU', value: `${formatNumber(u.cpu_percent, undefined, 1)} %${cores ? ` of ${cores} core${cores === 1 ? '' : 's'}` : ''}`, percent: Math.min(100, Math.round(cpuShare)) },
    { label: 'Memory', value: `${formatBytes(u.memory_bytes)}${limits.memory_mb ? ` of ${formatBytes(limits.memory_mb * 1024 ** 2)}` : ''}`, percent: pct(u.memory_bytes, limits.memory_mb && limits.memory_mb * 1024 ** 2) },
    { label: 'Disk', value: `${formatBytes(u.disk_bytes)}${limits.disk_gb ? ` of ${formatBytes(limits.disk_gb * GiB)}` : ''}`, percent: pct(u.disk_bytes, limits.disk_gb && limits.disk_gb * GiB) },
    {
      label: 'Traffic',
      // Allowances are decimal (1 GB = 10^9 bytes), as plans state them.
      value: `${decimalBytes(u.network_rx_bytes)} in · ${decimalBytes(u.network_tx_bytes)} out${limits.bandwidth_gb ? ` of ${decimalBytes(limits.bandwidth_gb * 1e9)}` : ''}`,
      percent: pct(transfer, limits.bandwidth_gb && limits.bandwidth_gb * 1e9),
    },
  ]
}

/** limitLabels are the plan's limits in words, in a stable order. */
export function limitLabels(limits: Record<string, number>): string[] {
  const words: [string, (n: number) => string][] = [
    ['cpu_cores', (n) => `${n} vCPU${n === 1 ? '' : 's'}`],
    ['memory_mb', (n) => `${formatBytes(n * 1024 ** 2)} memory`],
    ['disk_gb', (n) => `${formatBytes(n * GiB)} disk`],
    ['bandwidth_gb', (n) => `${decimalBytes(n * 1e9)} traffic a month`],
    ['databases', (n) => `${n} database${n === 1 ? '' : 's'}`],
    ['backups', (n) => `${n} backup${n === 1 ? '' : 's'}`],
  ]
  return words.filter(([k]) => (limits[k] ?? 0) > 0).map(([k, f]) => f(limits[k]!))
}

/** Sample is one reading of live usage, as shares of the plan's limits. */
export interface Sample {
  at: number // ms since the epoch
  cpu: number // percent of all cores
  memory: number | null // percent of the memory limit; null without one
}

export function sampleOf(u: Usage, limits: Record<string, number>, at: number): Sample {
  const cores = limits.cpu_cores ?? 0
  return { at, cpu: Math.min(100, Math.round((cores > 0 ? u.cpu_percent / cores : u.cpu_percent) * 10) / 10), memory: pct(u.memory_bytes, limits.memory_mb && limits.memory_mb * 1024 ** 2) }
}

/** keep appends s and drops the oldest beyond max; a repeat of the last reading's time is ignored. */
export function keep(list: Sample[], s: Sample, max: number): Sample[] {
  if (list.at(-1)?.at === s.at) return list
  return [...list, s].slice(-max)
}
