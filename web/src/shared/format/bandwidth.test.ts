import { describe, expect, it } from 'vitest'
import { amount, counted, cumulative, decimalBytes } from './bandwidth'

describe('bandwidth figures', () => {
  it('uses decimal units as plans state them', () => {
    expect(decimalBytes(999)).toBe('999 B')
    expect(decimalBytes(1_500_000_000)).toBe('1.5 GB')
    expect(decimalBytes(2_000_000_000_000)).toBe('2.0 TB')
  })
  it('shows a 95th-percentile figure as a rate', () => {
    expect(amount(250_000_000, 'p95')).toBe('250.0 Mbps')
    expect(amount(250_000_000, 'transfer')).toBe('250.0 MB')
  })
  it('adds up days and follows the direction rule', () => {
    expect(cumulative([1, 2, 3])).toEqual([1, 3, 6])
    expect(counted(5, 7, 'sum')).toBe(12)
    expect(counted(5, 7, 'out')).toBe(7)
  })
})
