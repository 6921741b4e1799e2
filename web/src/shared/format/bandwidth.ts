// Metered traffic as the service page shows it. Allowances and overage
// are decimal (1 GB = 10^9 bytes, 1 TB = 1000 GB), as plans state them.
import { formatNumber } from '@/shared/format/date'

export function decimalBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
  let i = 0
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${formatNumber(n, undefined, i === 0 ? 0 : 1)} ${units[i]}`
}

/** rate shows bit/s in decimal units. */
export function rate(bps: number): string {
  return `${formatNumber(bps / 1e6, undefined, 1)} Mbps`
}

/** amount shows what a plan counts in its own unit: bytes, or bit/s at the 95th percentile. */
export function amount(n: number, basis: string): string {
  return basis === 'p95' ? rate(n) : decimalBytes(n)
}

/** cumulative is the running total of values. */
export function cumulative(values: number[]): number[] {
  let sum = 0
  return values.map((v) => (sum += v))
}

/** counted is what a day contributes under the plan's direction rule (max is taken over the cycle, so a day shows in + out). */
export function counted(inBytes: number, outBytes: number, direction: string): number {
  return direction === 'out' ? outBytes : inBytes + outBytes
}
