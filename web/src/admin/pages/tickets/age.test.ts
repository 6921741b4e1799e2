import { describe, expect, it } from 'vitest'
import { byAge } from './age'

describe('byAge', () => {
  it('counts open tickets by age, and those waiting on staff', () => {
    const now = new Date('2026-12-01T12:00:00Z')
    const at = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString()
    const got = byAge([
      { status: 'open', created_at: at(1) },
      { status: 'waiting_on_customer', created_at: at(2) },
      { status: 'in_progress', created_at: at(10) },
      { status: 'open', created_at: at(30) },
      { status: 'open', created_at: at(200) },
      { status: 'closed', created_at: at(1) },
    ], now)
    expect(got.map((b) => [b.id, b.count, b.onUs])).toEqual([['hours', 2, 1], ['day', 1, 1], ['days', 1, 1], ['older', 1, 1]])
  })
})
