// The manual invoice rules the API applies (shared/domain/billing
// DraftInput), with its messages and field names, so the form says what
// is wrong before sending; the API's own field errors still win.
import { textProblem } from './text'

export interface InvoiceForm {
  customer_id: string
  description: string
  quantity: number
  unit: string
  auto_tax: boolean
  tax_name: string
  tax_percent: string
  due_in_days: number
  notes: string
}

/** minorUnits reads a price typed in major units ("12.50") with at most exponent decimals; null when it is not one. */
export function minorUnits(typed: string, exponent: number): number | null {
  const s = typed.trim().replace(',', '.')
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s)
  if (!m || (m[2]?.length ?? 0) > exponent) return null
  return Number(m[1]) * 10 ** exponent + Number((m[2] ?? '').padEnd(exponent, '0') || '0')
}

export function validateInvoice(f: InvoiceForm, exponent: number): Record<string, string> {
  const out: Record<string, string> = {}
  if (!f.customer_id) out.customer_id = 'is required'
  const d = textProblem(f.description, 1, 200)
  if (d) out['lines[0].description'] = d
  if (!Number.isInteger(f.quantity) || f.quantity < 1 || f.quantity > 10_000) out['lines[0].quantity'] = 'must be 1 to 10000'
  const unit = minorUnits(f.unit, exponent)
  if (unit === null) out['lines[0].unit_amount'] = exponent ? `must be an amount with at most ${exponent} decimals` : 'must be a whole amount'
  else if (unit > 1e12 || unit * (Number.isInteger(f.quantity) ? f.quantity : 1) > 1e12) out['lines[0].unit_amount'] = 'makes the invoice too large'
  if (!f.auto_tax) {
    const pct = f.tax_percent.trim() === '' ? 0 : Number(f.tax_percent.replace(',', '.'))
    if (!Number.isFinite(pct) || pct < 0 || pct > 100) out.tax_rate_bp = 'must be between 0 and 100 %'
    else if (pct > 0 && !f.tax_name.trim()) out.tax_name = 'is required with a tax rate (e.g. VAT)'
  }
  if (!Number.isInteger(f.due_in_days) || f.due_in_days < 0 || f.due_in_days > 365) out.due_in_days = 'must be 0 to 365'
  const n = textProblem(f.notes, 0, 1000, true)
  if (n) out.notes = n
  return out
}
