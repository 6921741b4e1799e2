// The plan editor's form and its conversion to and from the API's plan:
// prices are typed in major units per currency and cycle (empty means not
// offered), extras are the service type's own keys, and the checks are the
// API's (shared/domain/catalog input.go) with its words.
import type { Schemas } from '@/shared/api/client'
import { currencyExponent } from '@/shared/format/money'

export const cycles = ['monthly', 'quarterly', 'semi_annual', 'annual'] as const
export type Cycle = (typeof cycles)[number]
export const extraKeys: Record<Schemas['ServiceType'], string[]> = {
  vps: ['ipv4', 'ipv6', 'virtualization', 'backups', 'operating_systems'],
  dedicated: ['cpu_model', 'ipv4', 'raid', 'uplink', 'ddos_protection', 'operating_systems'],
  hosting: ['websites', 'databases', 'email_accounts', 'ssl', 'backups'],
  game_server: ['games', 'slots', 'backups', 'ddos_protection'],
}

export interface PlanForm {
  name: string
  slug: string
  description: string
  service_type: Schemas['ServiceType']
  status: Schemas['PlanStatus']
  sort_order: number
  badge: Schemas['Badge']
  requires_approval: boolean
  unlimited: boolean
  stock: number
  /** currency → cycle → price typed in major units ('' = not offered). */
  prices: Record<string, Record<Cycle, string>>
  cpu_cores: number
  ram_mb: number
  disk_gb: number
  disk_type: '' | 'nvme' | 'ssd' | 'hdd'
  bandwidth_gb: number
  port_speed_mbps: number
  locations: string[]
  extras: Record<string, string>
  /** kept as read: edited where the gateway's prices are set up. */
  gateway_price_ids: Record<string, string>
  /** How traffic bills: transfer (bandwidth_gb a cycle) or the 95th percentile of a committed rate. */
  metering_basis: 'transfer' | 'p95'
  metering_direction: 'sum' | 'max' | 'out'
  commit_mbps: number
  /** currency → overage price per TB (transfer) or Mbps (p95) typed in major units ('' = none). */
  overage: Record<string, string>
}

const emptyRow = (): Record<Cycle, string> => ({ monthly: '', quarterly: '', semi_annual: '', annual: '' })

export function newForm(): PlanForm {
  return {
    name: '', slug: '', description: '', service_type: 'vps', status: 'hidden', sort_order: 0, badge: '', requires_approval: false,
    unlimited: true, stock: 0, prices: { USD: emptyRow() }, cpu_cores: 1, ram_mb: 1024, disk_gb: 20, disk_type: 'nvme', bandwidth_gb: 0,
    port_speed_mbps: 1000, locations: [], extras: {}, gateway_price_ids: {}, metering_basis: 'transfer', metering_direction: 'sum', commit_mbps: 0, overage: {},
  }
}

/** slugOf makes a slug from a name: "VPS Pro 4 GB" → "vps-pro-4-gb". */
export function slugOf(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64)
}

function major(minor: number, currency: string): string {
  const e = currencyExponent(currency)
  return (minor / 10 ** e).toFixed(e)
}

export function formOf(p: Schemas['Plan']): PlanForm {
  const prices: PlanForm['prices'] = {}
  for (const [cur, byCycle] of Object.entries(p.prices)) {
    prices[cur] = emptyRow()
    for (const c of cycles) if (byCycle[c] !== undefined) prices[cur]![c] = major(byCycle[c]!, cur)
  }
  const f = p.features
  return {
    name: p.name, slug: p.slug, description: p.description, service_type: p.service_type, status: p.status, sort_order: p.sort_order,
    badge: p.badge, requires_approval: p.requires_approval, unlimited: p.stock === null, stock: p.stock ?? 0, prices,
    cpu_cores: f.cpu_cores, ram_mb: f.ram_mb, disk_gb: f.disk_gb, disk_type: f.disk_type ?? '', bandwidth_gb: f.bandwidth_gb,
    port_speed_mbps: f.port_speed_mbps ?? 0, locations: [...f.locations], extras: { ...(f.extras ?? {}) }, gateway_price_ids: { ...p.gateway_price_ids },
    metering_basis: p.metering?.basis === 'p95' ? 'p95' : 'transfer', metering_direction: (p.metering?.direction || 'sum') as PlanForm['metering_direction'],
    commit_mbps: p.metering?.commit_mbps ?? 0,
    overage: Object.fromEntries(Object.entries(p.metering?.overage ?? {}).map(([cur, v]) => [cur, major(v, cur)])),
  }
}

/** minorOf reads a typed price: "12.5" in USD → 1250; null when it is not a price. */
export function minorOf(typed: string, currency: string): number | null {
  const s = typed.trim().replace(',', '.')
  const e = currencyExponent(currency)
  if (!/^\d+(\.\d+)?$/.test(s)) return null
  const [whole, frac = ''] = s.split('.')
  if (frac.length > e) return null
  return Number(whole) * 10 ** e + Number(frac.padEnd(e, '0') || '0')
}

export function bodyOf(f: PlanForm): Schemas['PlanInput'] {
  const prices: Record<string, Record<string, number>> = {}
  for (const [cur, row] of Object.entries(f.prices)) {
    for (const c of cycles) {
      const m = row[c].trim() === '' ? null : minorOf(row[c], cur)
      if (m !== null) (prices[cur] ??= {})[c] = m
    }
  }
  const extras = Object.fromEntries(Object.entries(f.extras).filter(([k, v]) => extraKeys[f.service_type].includes(k) && v.trim() !== ''))
  return {
    slug: f.slug, name: f.name.trim(), description: f.description, service_type: f.service_type, status: f.status, sort_order: f.sort_order,
    badge: f.badge, requires_approval: f.requires_approval, stock: f.unlimited ? null : f.stock, prices,
    features: {
      cpu_cores: f.cpu_cores, ram_mb: f.ram_mb, disk_gb: f.disk_gb, bandwidth_gb: f.bandwidth_gb, port_speed_mbps: f.port_speed_mbps,
      locations: f.locations, extras, ...(f.disk_type ? { disk_type: f.disk_type } : {}),
    },
    gateway_price_ids: f.gateway_price_ids,
    metering: {
      basis: f.metering_basis, direction: f.metering_direction, ...(f.metering_basis === 'p95' ? { commit_mbps: f.commit_mbps } : {}),
      overage: Object.fromEntries(Object.entries(f.overage).flatMap(([cur, v]) => {
        const m = v.trim() === '' ? null : minorOf(v, cur)
        return m === null || !f.prices[cur] ? [] : [[cur, m]]
      })),
    },
  }
}

/** formErrors are the API's checks, keyed and worded as it keys and words them. */
export function formErrors(f: PlanForm): Record<string, string> {
  const out: Record<string, string> = {}
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(f.slug) || f.slug.length > 64) out.slug = 'must be 1-64 lower-case letters, digits and single hyphens'
  if (!f.name.trim()) out.name = 'is required'
  else if (f.name.length > 100) out.name = 'must be 1-100 characters on one line'
  if (!f.unlimited && (!Number.isInteger(f.stock) || f.stock < 0)) out.stock = 'must be null (unlimited) or at least 0'
  let offered = 0
  for (const [cur, row] of Object.entries(f.prices)) {
    let n = 0
    for (const c of cycles) {
      if (row[c].trim() === '') continue
      if (minorOf(row[c], cur) === null) out[`prices.${cur}.${c}`] = `must be an amount like 12.99 (${currencyExponent(cur)} decimals at most)`
      else n++
    }
    if (n) offered++
  }
  if (!offered) out.prices = 'must have at least one currency'
  if (!f.locations.length) out['features.locations'] = 'must list at least one location'
  for (const k of ['cpu_cores', 'ram_mb', 'disk_gb', 'bandwidth_gb', 'port_speed_mbps'] as const) {
    if (!Number.isInteger(f[k]) || f[k] < 0 || f[k] > 100_000_000) out[`features.${k}`] = 'must be between 0 and 100000000'
  }
  if (f.metering_basis === 'p95' && (!Number.isInteger(f.commit_mbps) || f.commit_mbps <= 0)) out['metering.commit_mbps'] = 'a 95th-percentile plan needs a committed rate'
  else if (!Number.isInteger(f.commit_mbps) || f.commit_mbps < 0 || f.commit_mbps > 1_000_000) out['metering.commit_mbps'] = 'must be between 0 and 1000000'
  for (const [cur, v] of Object.entries(f.overage)) {
    if (v.trim() === '') continue
    if (!f.prices[cur]) out[`metering.overage.${cur}`] = `the plan has no ${cur} prices`
    else if (minorOf(v, cur) === null) out[`metering.overage.${cur}`] = `must be an amount like 1.00 (${currencyExponent(cur)} decimals at most)`
    else if (f.metering_basis === 'transfer' && f.bandwidth_gb === 0) out['metering.overage'] = 'an unmetered plan (bandwidth_gb 0) has no overage price'
  }
  return out
}
