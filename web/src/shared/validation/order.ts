import { toUnicode } from 'punycode'

// The order option rules the API applies (shared/domain/orders Options
// validate), with its messages and field names, so the order form says
// what is missing before asking for a quote.

export interface PlanShape {
  service_type: string
  features: { locations?: string[]; extras?: Record<string, string> }
}

export interface Options {
  hostname?: string
  domain?: string
  os?: string
  game?: string
  location?: string
}

export const operatingSystems = ['ubuntu-24.04', 'ubuntu-22.04', 'debian-12', 'debian-11', 'almalinux-9', 'rocky-9']

const hostnameRE = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$/i

export function validHost(v: string): boolean {
  return v.length <= 253 && v.split('.').every((l) => l.length <= 63) && hostnameRE.test(v)
}

// asciiDomain is a domain as DNS and the API keep it: an internationalised
// name in punycode ("bücher.de" → "xn--bcher-kva.de"), as the URL parser
// converts it; "" when it is not a host name at all.
export function asciiDomain(v: string): string {
  const s = v.trim().toLowerCase()
  if (!s || /[\s/:?#@]/.test(s)) return ''
  try {
    return new URL(`http://${s}`).hostname
  } catch {
    return ''
  }
}

/** unicodeDomain shows a punycode domain as its owner typed it ("xn--bcher-kva.de" → "bücher.de"). */
export function unicodeDomain(v: string): string {
  try {
    return toUnicode(v)
  } catch {
    return v
  }
}

/** systemsOf is what a plan's hardware installs: its operating_systems extra, or every image. */
export function systemsOf(p: PlanShape): string[] {
  const own = (p.features.extras?.operating_systems ?? '').split(',').map((s) => s.trim()).filter((s) => operatingSystems.includes(s))
  return own.length ? own : operatingSystems
}

export function gamesOf(p: PlanShape): string[] {
  return (p.features.extras?.games ?? '').split(',').map((g) => g.trim()).filter(Boolean)
}

export function validateOptions(p: PlanShape, o: Options): Record<string, string> {
  const out: Record<string, string> = {}
  const locs = p.features.locations ?? []
  const location = (o.location ?? '').trim() || (locs.length === 1 ? locs[0]! : '')
  if (locs.length > 0 && !locs.includes(location)) out['options.location'] = `must be one of: ${locs.join('; ')}`
  const host = (field: string, v?: string) => {
    if (!validHost((v ?? '').trim().toLowerCase())) out[field] = 'must be a fully qualified host name such as server1.example.com'
  }
  switch (p.service_type) {
    case 'vps':
    case 'dedicated':
      host('options.hostname', o.hostname)
      if (!systemsOf(p).includes((o.os ?? '').trim())) out['options.os'] = `must be one of: ${systemsOf(p).join(', ')} (what this plan's hardware installs)`
      break
    case 'game_server': {
      const games = gamesOf(p)
      if (!games.includes((o.game ?? '').trim())) out['options.game'] = `must be one of: ${games.join(', ')}`
      break
    }
    case 'hosting':
      if (!validHost(asciiDomain(o.domain ?? ''))) out['options.domain'] = 'must be a domain name such as example.com'
  }
  return out
}
