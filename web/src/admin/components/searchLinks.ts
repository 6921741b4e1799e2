// Where a search result leads: everything is seen on its customer's page,
// at the tab that lists it, with the item picked out.
import type { Schemas } from '@/shared/api/client'

const tabs = { customer: '', service: 'services', invoice: 'invoices', order: 'orders' } as const

export function resultLink(r: Schemas['SearchResult']): string {
  const base = `/customers/${encodeURIComponent(r.customer_id || r.id)}`
  const tab = tabs[r.kind]
  return tab ? `${base}?tab=${tab}&focus=${encodeURIComponent(r.id)}` : base
}
