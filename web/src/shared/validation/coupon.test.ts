import { describe, expect, it } from 'vitest'
import { validateCoupon, type CouponForm } from './coupon'

const ok: CouponForm = { code: 'spring-25', description: '', kind: 'percent', percent: '25', currency: 'USD', amount: '', plan_ids: [], max_uses: 0, per_customer: 1, expires: '', trial_days: 0 }
const now = new Date('2026-11-30T12:00:00Z')

describe('validateCoupon', () => {
  it.each([
    [{}, {}],
    [{ code: 'ab' }, { code: 'must be 3-32 letters, digits, - or _' }],
    [{ code: '-abc' }, { code: 'must be 3-32 letters, digits, - or _' }],
    [{ code: 'has space' }, { code: 'must be 3-32 letters, digits, - or _' }],
    [{ percent: '0' }, { percent_bp: 'must be 1 to 10000 basis points (0.01 % to 100 %)' }],
    [{ percent: '100.5' }, { percent_bp: 'must be 1 to 10000 basis points (0.01 % to 100 %)' }],
    [{ percent: '' }, { percent_bp: 'must be 1 to 10000 basis points (0.01 % to 100 %)' }],
    [{ kind: 'fixed', amount: '' }, { amounts_off: 'give the amount off in at least one currency' }],
    [{ kind: 'fixed', amount: '5.001' }, { 'amounts_off.USD': 'must be between 1 and 100000000 minor units' }],
    [{ kind: 'fixed', amount: '5.00' }, {}],
    [{ trial_days: 366 }, { trial_days: 'must be 0 to 365' }],
    [{ max_uses: -1 }, { max_uses: 'must be 0 (unlimited) to 1000000000' }],
    [{ per_customer: 1001 }, { per_customer: 'must be 0 (unlimited) to 1000' }],
    [{ expires: '2026-11-29' }, { expires_at: 'must be in the future' }],
    [{ expires: '2026-11-30' }, {}],
    [{ description: 'a\nb' }, { description: 'must not contain line breaks' }],
  ] as const)('%o gives %o', (change, want) => {
    expect(validateCoupon({ ...ok, ...change } as CouponForm, 2, now)).toEqual(want)
  })
})
