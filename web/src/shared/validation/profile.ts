// The profile rules the API applies (shared/domain/accounts
// validateProfile), with its messages, so a form says what is wrong before
// sending; the API's own field errors still win when it disagrees.

export interface ProfileInput {
  name: string
  company?: string
  phone?: string
  vat_id?: string
  billing_address?: { line1?: string; line2?: string; city?: string; region?: string; postal_code?: string; country?: string }
}

// What the API's text.Problem refuses on one line: line breaks, control
// characters and bidirectional overrides.
// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

function text(out: Record<string, string>, field: string, v: string | undefined, min: number, max: number) {
  const s = v ?? ''
  const trimmed = [...s.trim()].length
  if (control.test(s) || (min > 0 && trimmed === 0) || trimmed < min || [...s].length > max) {
    out[field] = min > 0 && trimmed === 0 ? 'is required' : `must be ${min}-${max} characters on one line`
  }
}

const phoneRE = /^\+?[0-9 ()\-.]+$/
const countryRE = /^[A-Z]{2}$/

export function validPhone(p: string): boolean {
  const n = [...p.replace(/^\+/, '')].length
  return n >= 5 && n <= 32 && phoneRE.test(p)
}

/** profileErrors returns field errors keyed as the API keys them. */
export function profileErrors(p: ProfileInput): Record<string, string> {
  const out: Record<string, string> = {}
  text(out, 'name', p.name, 1, 100)
  text(out, 'company', p.company, 0, 100)
  if (p.phone && !validPhone(p.phone)) out.phone = 'must be a phone number like +44 20 7946 0000'
  text(out, 'vat_id', p.vat_id, 0, 20)
  const a = p.billing_address ?? {}
  for (const f of ['line1', 'line2', 'city', 'region', 'postal_code'] as const) text(out, `billing_address.${f}`, a[f], 0, 100)
  if (a.country && !countryRE.test(a.country)) out['billing_address.country'] = 'must be an ISO 3166 two-letter code like GB'
  return out
}
