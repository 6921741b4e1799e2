// ISO 3166-1 alpha-2 countries for pickers, named in the reader's
// language by the browser (Intl.DisplayNames), sorted by that name. The
// API stores the upper-case code.
import { userLocale } from './date'

const codes =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'.split(' ')

export interface Country {
  code: string
  name: string
}

/** countries lists every country, named and sorted for locale. */
export function countries(locale = userLocale()): Country[] {
  const names = new Intl.DisplayNames([locale], { type: 'region' })
  const collator = new Intl.Collator(locale)
  return codes.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) => collator.compare(a.name, b.name))
}

/** countryCode reads what someone typed ("de", "DE", "Germany") as a code, or '' if it is none. */
export function countryCode(input: string, locale = userLocale()): string {
  const s = input.trim()
  if (codes.includes(s.toUpperCase())) return s.toUpperCase()
  const hit = countries(locale).find((c) => c.name.localeCompare(s, locale, { sensitivity: 'base' }) === 0)
  return hit?.code ?? ''
}
