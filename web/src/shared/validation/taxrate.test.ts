import { describe, expect, it } from 'vitest'
import { validateTaxRate } from './taxrate'

const ok = { country: 'de', region: '', name: 'VAT', percent: '19' }

describe('validateTaxRate', () => {
  it.each([
    [{}, {}],
    [{ country: 'Germany' }, { country: 'must be an ISO 3166 two-letter code like DE' }],
    [{ region: 'a#b' }, { region: 'must be at most 50 characters on one line, without #' }],
    [{ name: ' ' }, { name: 'is required, e.g. VAT' }],
    [{ percent: '150' }, { rate_bp: 'must be 0 to 10000 basis points' }],
    [{ percent: '' }, { rate_bp: 'must be 0 to 10000 basis points' }],
    [{ percent: '7,5' }, {}],
    [{ percent: '0' }, {}],
  ])('%o gives %o', (change, want) => {
    expect(validateTaxRate({ ...ok, ...change })).toEqual(want)
  })
})
