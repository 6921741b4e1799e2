import { describe, expect, it } from 'vitest'
import { profileErrors, validPhone } from './profile'

describe('profileErrors (the API’s rules and words)', () => {
  it('passes a complete profile', () => {
    expect(profileErrors({ name: 'Zofia', phone: '+48 22 123 45 67', billing_address: { country: 'PL', city: 'Warsaw' } })).toEqual({})
  })
  it.each([
    [{ name: '  ' }, 'name', 'is required'],
    [{ name: 'x'.repeat(101) }, 'name', 'must be 1-100 characters on one line'],
    [{ name: 'A\nB' }, 'name', 'must be 1-100 characters on one line'],
    [{ name: 'A', phone: '12' }, 'phone', 'must be a phone number like +44 20 7946 0000'],
    [{ name: 'A', billing_address: { country: 'de' } }, 'billing_address.country', 'must be an ISO 3166 two-letter code like GB'],
    [{ name: 'A', vat_id: 'x'.repeat(21) }, 'vat_id', 'must be 0-20 characters on one line'],
  ])('%j', (input, field, message) => {
    expect(profileErrors(input)[field]).toBe(message)
  })
  it('counts phone digits as the API does', () => {
    expect(validPhone('+12345')).toBe(true)
    expect(validPhone('1234')).toBe(false)
  })
})
