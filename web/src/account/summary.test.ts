import { describe, expect, it } from 'vitest'
import { nextInvoice, overdue } from './summary'

const sub = (plan_name: string, status: string, amount: number, currency: string, end: string, cancel_at_period_end = false) =>
  ({ plan_name, status, amount, currency, current_period_end: end, cancel_at_period_end }) as Parameters<typeof nextInvoice>[0][number]

const now = new Date('2026-11-26T12:00:00Z')

describe('nextInvoice', () => {
  it('is nothing without renewing subscriptions', () => {
    expect(nextInvoice([], now)).toBeNull()
    expect(nextInvoice([sub('A', 'cancelled', 100, 'USD', '2026-12-01T00:00:00Z'), sub('B', 'active', 100, 'USD', '2026-12-01T00:00:00Z', true)], now)).toBeNull()
  })
  it('takes the earliest day and totals what renews that day per currency', () => {
    const got = nextInvoice(
      [
        sub('VPS Pro', 'active', 4800, 'USD', '2026-12-10T08:00:00Z'),
        sub('VPS Starter', 'active', 600, 'USD', '2026-12-03T08:00:00Z'),
        sub('Game', 'trialing', 900, 'EUR', '2026-12-03T20:00:00Z'),
        sub('Web', 'active', 300, 'USD', '2026-12-03T23:59:00Z'),
        sub('Old', 'past_due', 999, 'USD', '2026-11-01T00:00:00Z'),
      ],
      now,
    )
    expect(got).toEqual({
      date: '2026-12-03',
      plans: ['VPS Starter', 'Game', 'Web'],
      totals: [
        { currency: 'EUR', amount: 900 },
        { currency: 'USD', amount: 900 },
      ],
    })
  })
  it('ignores periods already over (a renewal not yet mirrored)', () => {
    expect(nextInvoice([sub('A', 'active', 100, 'USD', '2026-11-20T00:00:00Z')], now)).toBeNull()
  })
})

describe('overdue', () => {
  it('lists past-due subscriptions', () => {
    expect(overdue([sub('A', 'past_due', 1, 'USD', '2026-11-01T00:00:00Z'), sub('B', 'active', 1, 'USD', '2026-12-01T00:00:00Z')])).toEqual(['A'])
  })
})
