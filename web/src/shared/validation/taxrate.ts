// The tax rate rules the API applies (shared/domain/billing TaxRate), with
// its messages, for the admin form (the rate typed as a percentage).
import { textProblem } from './text'

export interface TaxRateForm {
  country: string
  region: string
  name: string
  percent: string
}

export function validateTaxRate(f: TaxRateForm): Record<string, string> {
  const out: Record<string, string> = {}
  if (!/^[A-Z]{2}$/.test(f.country.trim().toUpperCase())) out.country = 'must be an ISO 3166 two-letter code like DE'
  if (textProblem(f.region.trim(), 0, 50) || f.region.includes('#')) out.region = 'must be at most 50 characters on one line, without #'
  const n = textProblem(f.name, 1, 30)
  if (n) out.name = `${n}, e.g. VAT`
  const bp = Math.round(Number(f.percent.replace(',', '.')) * 100)
  if (f.percent.trim() === '' || !Number.isInteger(bp) || bp < 0 || bp > 10000) out.rate_bp = 'must be 0 to 10000 basis points'
  return out
}
