import { describe, expect, it } from 'vitest'
import { countries, countryCode } from './countries'

describe('countries', () => {
  it('names every code in the reader’s language, sorted', () => {
    const en = countries('en-US')
    expect(en.length).toBe(249)
    expect(en.find((c) => c.code === 'DE')?.name).toBe('Germany')
    expect(countries('de-DE').find((c) => c.code === 'DE')?.name).toBe('Deutschland')
    expect(en[0]?.name).toBe('Afghanistan')
  })
  it.each([
    ['de', 'DE'],
    ['DE', 'DE'],
    [' germany ', 'DE'],
    ['Atlantis', ''],
  ])('reads %j', (input, want) => {
    expect(countryCode(input, 'en-US')).toBe(want)
  })
})
