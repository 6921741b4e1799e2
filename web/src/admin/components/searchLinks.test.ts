import { describe, expect, it } from 'vitest'
import { resultLink } from './searchLinks'

describe('resultLink', () => {
  it.each([
    [{ kind: 'customer', id: 'usr_1', customer_id: 'usr_1' }, '/customers/usr_1'],
    [{ kind: 'service', id: 'svc_ord_1', customer_id: 'usr_1' }, '/customers/usr_1?tab=services&focus=svc_ord_1'],
    [{ kind: 'invoice', id: 'inv_1', customer_id: 'usr_2' }, '/customers/usr_2?tab=invoices&focus=inv_1'],
    [{ kind: 'order', id: 'ord 1', customer_id: 'usr_3' }, '/customers/usr_3?tab=orders&focus=ord%201'],
  ] as const)('%o leads to %s', (r, want) => {
    expect(resultLink({ ...r, title: 't', detail: 'd' })).toBe(want)
  })
})
