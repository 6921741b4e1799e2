import { describe, expect, it } from 'vitest'
import { bodyOf, formErrors, formOf, minorOf, newForm, slugOf } from './planForm'

describe('plan form', () => {
  it('reads typed prices in major units, exactly', () => {
    expect(minorOf('12.99', 'USD')).toBe(1299)
    expect(minorOf('12,5', 'EUR')).toBe(1250)
    expect(minorOf('1200', 'JPY')).toBe(1200)
    expect(minorOf('1.5', 'JPY')).toBeNull()
    expect(minorOf('0.001', 'USD')).toBeNull()
    expect(minorOf('-1', 'USD')).toBeNull()
    expect(minorOf('0.1', 'KWD')).toBe(100)
  })
  it('round-trips a plan, leaving empty prices out and keeping the gateway ids', () => {
    const f = newForm()
    Object.assign(f, { name: 'VPS Pro', slug: slugOf('VPS Pro!'), locations: ['Dallas, US'] })
    f.prices.USD!.monthly = '19.99'
    f.prices.EUR = { monthly: '', quarterly: '', semi_annual: '', annual: '199' }
    f.extras = { ipv4: '1', slots: 'not a vps extra', ipv6: ' ' }
    f.gateway_price_ids = { 'stripe:USD:monthly': 'price_1' }
    const body = bodyOf(f)
    expect(body.slug).toBe('vps-pro')
    expect(body.prices).toEqual({ USD: { monthly: 1999 }, EUR: { annual: 19900 } })
    expect(body.features.extras).toEqual({ ipv4: '1' })
    expect(body.stock).toBeNull()
    const back = formOf({ ...body, id: 'pln_1', version: 1, created_at: '', updated_at: '', stock: null, sort_order: 0, badge: '', description: '', requires_approval: false, gateway_price_ids: body.gateway_price_ids ?? {} } as never)
    expect(back.prices.USD!.monthly).toBe('19.99')
    expect(back.prices.EUR!.annual).toBe('199.00')
    expect(back.gateway_price_ids).toEqual({ 'stripe:USD:monthly': 'price_1' })
  })
  it('round-trips how a plan meters traffic and checks it as the API does', () => {
    const f = newForm()
    Object.assign(f, { name: 'Bare metal', slug: 'bare-metal', locations: ['Dallas, US'], metering_basis: 'p95', metering_direction: 'max', commit_mbps: 1000 })
    f.prices.USD!.monthly = '199'
    f.overage = { USD: '0.40', EUR: '0.37' } // no EUR prices: left out
    const body = bodyOf(f)
    expect(body.metering).toEqual({ basis: 'p95', direction: 'max', commit_mbps: 1000, overage: { USD: 40 } })
    const back = formOf({ ...body, id: 'pln_1', version: 1, created_at: '', updated_at: '', stock: null, sort_order: 0, badge: '', description: '', requires_approval: false, gateway_price_ids: {} } as never)
    expect([back.metering_basis, back.metering_direction, back.commit_mbps, back.overage]).toEqual(['p95', 'max', 1000, { USD: '0.40' }])
    expect(formErrors(f)['metering.overage.EUR']).toBe('the plan has no EUR prices')
    f.commit_mbps = 0
    expect(formErrors(f)['metering.commit_mbps']).toBe('a 95th-percentile plan needs a committed rate')
    const t = newForm()
    t.overage = { USD: '1.00' }
    expect(formErrors(t)['metering.overage']).toBe('an unmetered plan (bandwidth_gb 0) has no overage price')
  })
  it('checks what the API checks, in its words', () => {
    const f = newForm()
    f.slug = 'Bad Slug'
    f.prices.USD!.monthly = 'abc'
    f.unlimited = false
    f.stock = -1
    const e = formErrors(f)
    expect(e.slug).toBe('must be 1-64 lower-case letters, digits and single hyphens')
    expect(e.name).toBe('is required')
    expect(e['prices.USD.monthly']).toMatch(/must be an amount/)
    expect(e.prices).toBe('must have at least one currency')
    expect(e.stock).toBe('must be null (unlimited) or at least 0')
    expect(e['features.locations']).toBe('must list at least one location')
  })
})
