// The dashboard's billing summary, from the customer's subscriptions: what
// is overdue, and the next renewal (every subscription renewing that day,
// totalled per currency, tax included).
import type { Schemas } from '@/shared/api/client'

type Sub = Pick<Schemas['Subscription'], 'plan_name' | 'status' | 'amount' | 'currency' | 'current_period_end' | 'cancel_at_period_end'>

export interface NextInvoice {
  date: string // YYYY-MM-DD (UTC)
  plans: string[]
  totals: { currency: string; amount: number }[]
}

const renewing = new Set(['active', 'trialing'])

export function nextInvoice(subs: Sub[], now: Date): NextInvoice | null {
  const due = subs.filter((s) => renewing.has(s.status) && !s.cancel_at_period_end && new Date(s.current_period_end) > now)
  if (!due.length) return null
  const day = (s: Sub) => s.current_period_end.slice(0, 10)
  const first = due.map(day).sort()[0]!
  const that = due.filter((s) => day(s) === first)
  const totals = new Map<string, number>()
  for (const s of that) totals.set(s.currency, (totals.get(s.currency) ?? 0) + s.amount)
  return {
    date: first,
    plans: that.map((s) => s.plan_name),
    totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount })),
  }
}

export function overdue(subs: Sub[]): string[] {
  return subs.filter((s) => s.status === 'past_due').map((s) => s.plan_name)
}
