import { describe, expect, it } from 'vitest'
import { formatBytes, formatDate, formatDateTime, formatNumber, formatRelative } from './date'

describe('locale formats', () => {
  const at = '2026-11-30T15:04:05Z'
  it.each([
    ['en-US', 'Nov 30, 2026'],
    ['en-GB', '30 Nov 2026'],
    ['de-DE', '30.11.2026'],
  ])('formatDate in %s', (locale, want) => {
    expect(formatDate(at, locale)).toBe(want)
  })
  it('dashes what is missing or not a date', () => {
    expect(formatDate(null)).toBe('—')
    expect(formatDate('')).toBe('—')
    expect(formatDateTime('not a date')).toBe('—')
  })
  it.each([
    [-30, 'now'],
    [-3 * 3600, '3 hours ago'],
    [2 * 86400, 'in 2 days'],
    [-86400, 'yesterday'],
  ])('formatRelative %i s', (secs, want) => {
    const now = new Date('2026-11-30T12:00:00Z')
    expect(formatRelative(new Date(now.getTime() + secs * 1000), now, 'en-US')).toBe(want)
  })
  it('groups numbers and sizes the reader’s way', () => {
    expect(formatNumber(1234567.5, 'de-DE', 1)).toBe('1.234.567,5')
    expect(formatBytes(0, 'en-US')).toBe('0 B')
    expect(formatBytes(1536, 'en-US')).toBe('1.5 KiB')
    expect(formatBytes(50 * 1024 ** 3, 'en-US')).toBe('50 GiB')
  })
})
