// Orders of one status, newest first, read page by page: keep filters
// what is counted, stop ends the reading once a page holds an order past
// the window. complete says the window was read to its end within pages.
import { api, type Schemas } from '@/shared/api/client'
import { call } from '@/shared/api/failure'

export async function ordersWhere(status: 'paid' | 'awaiting_approval', keep: (o: Schemas['Order']) => boolean, stop: (o: Schemas['Order']) => boolean, pages: number) {
  const orders: Schemas['Order'][] = []
  let cursor = ''
  for (let i = 0; i < pages; i++) {
    const page = await call(api.GET('/v1/admin/orders', { params: { query: cursor ? { status, cursor } : { status } } }))
    orders.push(...page.orders.filter(keep))
    if (!page.next_cursor || page.orders.some(stop)) return { orders, complete: true }
    cursor = page.next_cursor
  }
  return { orders, complete: false }
}
