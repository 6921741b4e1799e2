import { describe, expect, it } from 'vitest'
import { minorUnits, validateInvoice, type InvoiceForm } from './invoice'
import { textProblem } from './text'

const ok: InvoiceForm = { customer_id: 'usr_1', description: 'Setup fee', quantity: 1, unit: '25.00', auto_tax: false, tax_name: '', tax_percent: '', due_in_days: 14, notes: '' }

describe('minorUnits', () => {
  it.each([
    ['12.5', 2, 1250], ['12,50', 2, 1250], ['0', 2, 0], [' 7 ', 0, 7], ['1200', 0, 1200],
    ['12.345', 2, null], ['1.5', 0, null], ['-1', 2, null], ['abc', 2, null], ['', 2, null], ['1e3', 2, null],
  ] as const)('%s with %i decimals is %s', (typed, exp, want) => {
    expect(minorUnits(typed, exp)).toBe(want)
  })
})

describe('validateInvoice', () => {
  it.each([
    [{}, {}],
    [{ customer_id: '' }, { customer_id: 'is required' }],
    [{ description: '  ' }, { 'lines[0].description': 'is required' }],
    [{ description: 'a\nb' }, { 'lines[0].description': 'must not contain line breaks' }],
    [{ quantity: 0 }, { 'lines[0].quantity': 'must be 1 to 10000' }],
    [{ unit: '1.234' }, { 'lines[0].unit_amount': 'must be an amount with at most 2 decimals' }],
    [{ unit: '10000000000', quantity: 2 }, { 'lines[0].unit_amount': 'makes the invoice too large' }],
    [{ tax_percent: '19' }, { tax_name: 'is required with a tax rate (e.g. VAT)' }],
    [{ tax_percent: '101', tax_name: 'VAT' }, { tax_rate_bp: 'must be between 0 and 100 %' }],
    [{ tax_percent: '101', auto_tax: true }, {}],
    [{ due_in_days: 400 }, { due_in_days: 'must be 0 to 365' }],
    [{ notes: 'line one\nline two' }, {}],
    [{ notes: 'x'.repeat(1001) }, { notes: 'must be at most 1000 characters' }],
  ] as const)('%o gives %o', (change, want) => {
    expect(validateInvoice({ ...ok, ...change }, 2)).toEqual(want)
  })
})

describe('textProblem', () => {
  it('says what the API says', () => {
    expect(textProblem('ok', 1, 10)).toBe('')
    expect(textProblem('\u202eevil', 1, 10)).toBe('must not contain bidirectional override characters')
    expect(textProblem('tab\there', 1, 20)).toBe('must not contain control characters')
    expect(textProblem('tab\there', 1, 20, true)).toBe('')
    expect(textProblem('abc', 5, 10)).toBe('must be 5-10 characters')
  })
})
