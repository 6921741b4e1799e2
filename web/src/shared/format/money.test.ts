import { describe, expect, it } from 'vitest'
import { formatMoney } from './money'

describe('formatMoney', () => {
  it.each([
    [123456, 'USD', 2, '$1,234.56'],
    [5, 'USD', 2, '$0.05'],
    [0, 'EUR', 2, '€0.00'],
    [1999, 'GBP', 2, '£19.99'],
    [1200, 'JPY', 0, '¥1,200'],
    [1234, 'KWD', 3, 'KWD 1.234'],
  ])('formats %i %s', (minor, cur, exp, want) => {
    expect(formatMoney(minor, cur, exp).replace(/\u00a0/g, ' ')).toBe(want)
  })
  it('refuses fractional minor units', () => {
    expect(() => formatMoney(1.5, 'USD', 2)).toThrow(RangeError)
  })
})

describe('currencyExponent', () => {
  it('matches the API for zero-, two- and three-decimal currencies', async () => {
    const { currencyExponent } = await import('./money')
    expect([currencyExponent('JPY'), currencyExponent('EUR'), currencyExponent('KWD')]).toEqual([0, 2, 3])
  })
})
