import { describe, expect, it } from 'vitest'
import type { Schemas } from '@/shared/api/client'
import { dailyTrends, localDay } from './trends'

const now = new Date(2026, 10, 30, 15, 0) // local time
const at = (daysAgo: number, h = 12) => new Date(2026, 10, 30 - daysAgo, h).toISOString()
const pay = (status: Schemas['Payment']['status'], amount: number, currency: string, daysAgo: number) => ({ status, amount, currency, at: at(daysAgo) }) as Schemas['Payment']
const order = (paidDaysAgo: number | null) => ({ paid_at: paidDaysAgo === null ? null : at(paidDaysAgo) }) as Schemas['Order']

describe('dailyTrends', () => {
  it('counts money on the day it moved, per currency, refunds on their own day', () => {
    const t = dailyTrends(
      [pay('succeeded', 1000, 'USD', 0), pay('succeeded', 500, 'USD', 2), pay('refund', 200, 'USD', 0), pay('succeeded', 900, 'EUR', 1), pay('failed', 700, 'USD', 0), pay('credit', 300, 'USD', 0), pay('succeeded', 9999, 'USD', 3)],
      [order(0), order(0), order(2), order(null), order(5)],
      3,
      now,
    )
    expect(t.days).toEqual([localDay(new Date(2026, 10, 28)), localDay(new Date(2026, 10, 29)), '2026-11-30'])
    expect(t.revenue).toEqual({ USD: [500, 0, 800], EUR: [0, 900, 0] })
    expect(t.orders).toEqual([1, 0, 2])
  })

  it('has every day even when nothing happened', () => {
    const t = dailyTrends([], [], 30, now)
    expect(t.days).toHaveLength(30)
    expect(t.revenue).toEqual({})
    expect(t.orders.every((n) => n === 0)).toBe(true)
  })
})
