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
    if (subscriptions.find((s) => s.id === subscriptionID)?.status === 'active') return 'active'
    await new Promise((r) => setTimeout(r, 500))
  }
  return 'processing'
}
