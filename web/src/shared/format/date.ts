// Dates and numbers in the reader's own locale (the browser's language),
// so a German customer reads 30.11.2026 and an American 11/30/2026. The
// API sends RFC 3339 instants; a missing one is shown as an em dash.

/** userLocale is the locale every formatter here uses. */
export function userLocale(): string {
  return globalThis.navigator?.language || 'en-US'
}

function parse(v: string | number | Date | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null
  const d = v instanceof Date ? v : new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}

/** formatDate is a calendar date, e.g. "30 Nov 2026" (en-GB) or "Nov 30, 2026" (en-US). */
export function formatDate(v: string | number | Date | null | undefined, locale = userLocale()): string {
  const d = parse(v)
  return d ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d) : '—'
}

/** formatDateTime is a date with its time of day, in the reader's time zone. */
export function formatDateTime(v: string | number | Date | null | undefined, locale = userLocale()): string {
  const d = parse(v)
  return d ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d) : '—'
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** formatRelative is "3 hours ago" / "in 2 days"; under a minute is "just now" (in the locale). */
export function formatRelative(v: string | number | Date | null | undefined, now = new Date(), locale = userLocale()): string {
  const d = parse(v)
  if (!d) return '—'
  const secs = Math.round((d.getTime() - now.getTime()) / 1000)
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  for (const [unit, size] of units) {
    if (Math.abs(secs) >= size) return rtf.format(Math.trunc(secs / size), unit)
  }
  return rtf.format(0, 'second')
}

/** formatNumber groups digits the reader's way. */
export function formatNumber(n: number, locale = userLocale(), digits?: number): string {
  return new Intl.NumberFormat(locale, digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n)
}

/** formatBytes is a size in binary units (GiB for disks and memory, as panels report). */
export function formatBytes(bytes: number, locale = userLocale()): string {
  const steps = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = bytes
  let i = 0
  while (Math.abs(v) >= 1024 && i < steps.length - 1) {
    v /= 1024
    i++
  }
  return `${formatNumber(v, locale, i === 0 || Number.isInteger(v) ? 0 : 1)} ${steps[i]}`
}
