import { userLocale } from './date'

/**
 * formatMoney renders integer minor units in a currency, e.g.
 * formatMoney(123456, 'USD', 2) → "$1,234.56" and formatMoney(1200, 'JPY', 0)
 * → "¥1,200" in en-US; by default in the reader's locale (1.234,56 $ in
 * de-DE). The exponent comes from the API, never from a guess.
 */
export function formatMoney(minor: number, currency: string, exponent: number, locale = userLocale()): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount must be a safe integer, got ${minor}`)
  const major = minor / 10 ** exponent
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(major)
}

const zeroDecimal = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK'])
const threeDecimal = new Set(['KWD', 'BHD', 'JOD', 'OMR', 'TND'])

/** currencyExponent is a currency's minor-unit digits, as the API uses them. */
export function currencyExponent(currency: string): number {
  return zeroDecimal.has(currency) ? 0 : threeDecimal.has(currency) ? 3 : 2
}
