// The coupon rules the API applies (shared/domain/coupons Validate), with
// its messages and field names, for the admin form; amounts are typed in
// major units and checked in minor units as the API will see them.
import { minorUnits } from './invoice'
import { textProblem } from './text'

export interface CouponForm {
  code: string
  description: string
  kind: 'percent' | 'fixed'
  percent: string
  currency: string
  amount: string
  plan_ids: string[]
  max_uses: number
  per_customer: number
  expires: string // YYYY-MM-DD, end of that day UTC
  trial_days: number
}

const codeRE = /^[A-Z0-9][A-Z0-9_-]*$/
const int = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi

export function validateCoupon(f: CouponForm, exponent: number, now = new Date()): Record<string, string> {
  const out: Record<string, string> = {}
  const code = f.code.trim().toUpperCase()
  if (code.length < 3 || code.length > 32 || !codeRE.test(code)) out.code = 'must be 3-32 letters, digits, - or _'
  const d = textProblem(f.description, 0, 200)
  if (d) out.description = d
  if (f.kind === 'percent') {
    const bp = Math.round(Number(f.percent.replace(',', '.')) * 100)
    if (f.percent.trim() === '' || !int(bp, 1, 10000)) out.percent_bp = 'must be 1 to 10000 basis points (0.01 % to 100 %)'
  } else {
    const minor = minorUnits(f.amount, exponent)
    if (f.amount.trim() === '') out.amounts_off = 'give the amount off in at least one currency'
    else if (minor === null || !int(minor, 1, 100_000_000)) out[`amounts_off.${f.currency}`] = 'must be between 1 and 100000000 minor units'
  }
  if (!int(f.trial_days, 0, 365)) out.trial_days = 'must be 0 to 365'
  if (f.plan_ids.length > 100) out.plan_ids = 'at most 100 plans'
  if (!int(f.max_uses, 0, 1_000_000_000)) out.max_uses = 'must be 0 (unlimited) to 1000000000'
  if (!int(f.per_customer, 0, 1000)) out.per_customer = 'must be 0 (unlimited) to 1000'
  if (f.expires && new Date(`${f.expires}T23:59:59Z`) <= now) out.expires_at = 'must be in the future'
  return out
}
