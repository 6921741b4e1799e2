import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createRouter, createMemoryHistory } from 'vue-router'
import { makeVuetify } from '@/shared/vuetify'
import type { PublicListing, PublicPlan } from '@/shared/api/client'
import PricingPage from './PricingPage.vue'

globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
}

function plan(slug: string, over: Partial<PublicPlan> = {}, amount = 1000, cycle: PublicPlan['price']['cycle'] = 'monthly'): PublicPlan {
  return {
    id: `pln_${slug}`, slug, name: slug.toUpperCase(), description: 'd', service_type: 'vps',
    features: { cpu_cores: 2, ram_mb: 4096, disk_gb: 80, bandwidth_gb: 0, locations: ['Dallas, US'] },
    badge: '', stock_state: 'in_stock', stock_left: null, cycles: ['monthly', 'annual'], available: true,
    price: { currency: 'USD', cycle, months: cycle === 'annual' ? 12 : 1, amount, effective_monthly: cycle === 'annual' ? Math.round(amount / 12) : amount, saving_amount: cycle === 'annual' ? 2000 : 0, saving_percent: cycle === 'annual' ? 17 : 0 },
    ...over,
  }
}

// A fake API answering like GET /v1/plans, recording each query.
const calls: URLSearchParams[] = []
function listing(q: URLSearchParams): PublicListing {
  const cycle = (q.get('cycle') ?? 'monthly') as PublicPlan['price']['cycle']
  const amount = cycle === 'annual' ? 10000 : 1000
  return {
    currency: q.get('currency') ?? 'USD', currency_exponent: 2, cycle, currencies: ['EUR', 'USD'],
    plans: [
      plan('fast', { badge: 'popular' }, amount, cycle),
      plan('gone', { stock_state: 'out_of_stock' }, amount, cycle),
      plan('few', { stock_state: 'low_stock', stock_left: 2 }, amount, cycle),
      plan('later', { available: false, unavailable_reason: 'hosting services are not available yet' }, amount, cycle),
    ],
  }
}

beforeEach(() => {
  calls.length = 0
  vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
    const url = new URL(req.url, 'http://localhost')
    calls.push(url.searchParams)
    return new Response(JSON.stringify(listing(url.searchParams)), { headers: { 'Content-Type': 'application/json' } })
  }))
})
afterEach(() => vi.unstubAllGlobals())

async function mountPage(query = '') {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: PricingPage }] })
  await router.push('/' + query)
  const w = mount({ template: '<v-app><router-view /></v-app>' }, { global: { plugins: [makeVuetify(), router] }, attachTo: document.body })
  await flushPromises()
  return w
}

describe('PricingPage', () => {
  it('shows the plans the API returns with badges and stock', async () => {
    const w = await mountPage()
    expect(w.findAll('[data-plan]').map((c) => c.attributes('data-plan'))).toEqual(['fast', 'gone', 'few', 'later'])
    expect(w.find('[data-plan="fast"] [data-badge="popular"]').exists()).toBe(true)
    expect(w.find('[data-plan="fast"] [data-testid="effective-monthly"]').text()).toBe('$10.00')
    expect(w.find('[data-plan="few"] [data-testid="stock"]').text()).toBe('Only 2 left')
    expect(calls[0]?.get('service_type')).toBe('vps')
    w.unmount()
  })

  it('cannot order an out-of-stock plan', async () => {
    const w = await mountPage()
    const btn = w.find('[data-plan="gone"] [data-testid="order"]')
    expect(btn.attributes('disabled')).toBeDefined()
    expect(btn.attributes('href')).toBeUndefined()
    expect(w.find('[data-plan="fast"] [data-testid="order"]').attributes('href')).toBe('/account/order?plan=fast&cycle=monthly&currency=USD')
    w.unmount()
  })

  it('cannot order a plan nothing can deliver, and says why', async () => {
    const w = await mountPage()
    const btn = w.find('[data-plan="later"] [data-testid="order"]')
    expect(btn.attributes('disabled')).toBeDefined()
    expect(btn.attributes('href')).toBeUndefined()
    expect(w.find('[data-plan="later"] [data-testid="unavailable-reason"]').text()).toContain('not available yet')
    w.unmount()
  })

  it('asks the API again when the cycle changes and shows its prices', async () => {
    const w = await mountPage()
    await w.find('[data-cycle="annual"]').trigger('click')
    await flushPromises()
    expect(calls.at(-1)?.get('cycle')).toBe('annual')
    expect(w.find('[data-plan="fast"] [data-testid="billed"]').text()).toContain('$100.00 billed every year')
    expect(w.find('[data-plan="fast"] [data-testid="saving"]').text()).toContain('17%')
    w.unmount()
  })

  it('takes its state from the URL', async () => {
    const w = await mountPage('?type=game_server&cycle=annual&currency=EUR')
    expect(calls[0]?.get('service_type')).toBe('game_server')
    expect(calls[0]?.get('currency')).toBe('EUR')
    expect(calls[0]?.get('cycle')).toBe('annual')
    w.unmount()
  })

  it('shows an error the user can retry', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'unavailable', message: 'the store is unavailable' } }), { status: 503, headers: { 'Content-Type': 'application/json' } })))
    const w = await mountPage()
    expect(w.find('[role="alert"]').text()).toContain('the store is unavailable')
    w.unmount()
  })
})
