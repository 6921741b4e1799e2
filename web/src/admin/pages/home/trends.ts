// Daily revenue and paid orders over the last days, from the ledger and
// the paid orders: money is counted on the day it moved (a charge on its
// day, a refund on its own day), per currency, never summed across
// currencies; days are the reader's local days.
import type { Schemas } from '@/shared/api/client'

export interface Trends {
  /** days are local dates, oldest first (YYYY-MM-DD). */
  days: string[]
  /** revenue per currency per day, net of refunds, in minor units. */
  revenue: Record<string, number[]>
  orders: number[]
}

export function localDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export function dailyTrends(payments: Schemas['Payment'][], orders: Schemas['Order'][], days: number, now: Date): Trends {
  const list: string[] = []
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(now)
    d.setDate(d.getDate() - i)
    list.push(localDay(d))
  }
  const index = new Map(list.map((d, i) => [d, i]))
  const revenue: Record<string, number[]> = {}
  const add = (at: string, currency: string, amount: number) => {
    const i = index.get(localDay(new Date(at)))
    if (i === undefined) return
    const row = (revenue[currency] ??= new Array<number>(days).fill(0))
    row[i] = (row[i] ?? 0) + amount
  }
  for (const p of payments) {
    if (p.status === 'succeeded') add(p.at, p.currency, p.amount)
    else if (p.status === 'refund') add(p.at, p.currency, -p.amount)
  }
  const counts = new Array<number>(days).fill(0)
  for (const o of orders) {
    const i = o.paid_at ? index.get(localDay(new Date(o.paid_at))) : undefined
    if (i !== undefined) counts[i] = (counts[i] ?? 0) + 1
  }
  return { days: list, revenue, orders: counts }
}
