// Paying a past-due subscription now: the API charges the open renewal
// invoice with the default card or another saved one, and the subscription turns active when
// the payment provider's webhook arrives, usually within seconds; this
// waits for that (briefly) so the page shows the outcome, not a guess.
import { api } from '@/shared/api/client'
import { call } from '@/shared/api/failure'

export async function payNow(subscriptionID: string, waitMs = 15_000, paymentMethod?: string): Promise<'active' | 'processing'> {
  await call(api.POST('/v1/me/subscriptions/{id}/pay', { params: { path: { id: subscriptionID } }, body: paymentMethod ? { payment_method: paymentMethod } : {} }))
  for (const until = Date.now() + waitMs; Date.now() < until; ) {
    const { subscriptions } = await call(api.GET('/v1/me/subscriptions'))
    const sub = subscriptions.find((s) => s.id === subscriptionID)
    if (sub?.status === 'active' && !sub.fees_due) return 'active'
    await new Promise((r) => setTimeout(r, 500))
  }
  return 'processing'
}

// Paying one unpaid invoice (a renewal or a late fee), named by the id our
// invoice gets once paid; it waits for the payment to reach the ledger.
export async function payInvoice(gateway: string, gatewayInvoiceID: string, waitMs = 15_000): Promise<'paid' | 'processing'> {
  const id = `inv_${gateway}_${gatewayInvoiceID}`
  await call(api.POST('/v1/me/invoices/{id}/pay', { params: { path: { id } }, body: {} }))
  for (const until = Date.now() + waitMs; Date.now() < until; ) {
    const { payments } = await call(api.GET('/v1/me/payments'))
    if (payments.some((p) => p.gateway_invoice_id === gatewayInvoiceID && p.status === 'succeeded')) return 'paid'
    await new Promise((r) => setTimeout(r, 500))
  }
  return 'processing'
}
