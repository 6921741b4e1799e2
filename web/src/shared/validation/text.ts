// The API's text rules (shared/platform/text), with its messages: what a
// free-text field may hold, checked before sending.

function forbidden(s: string, multiline: boolean): string {
  for (const ch of s) {
    const r = ch.codePointAt(0)!
    if ((ch === '\n' || ch === '\r' || ch === '\t') && multiline) continue
    if (ch === '\n' || ch === '\r') return 'line breaks'
    if (r < 0x20 || r === 0x7f || (r >= 0x80 && r < 0xa0)) return 'control characters'
    if ((r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)) return 'bidirectional override characters'
  }
  return ''
}

/** textProblem is text.Problem (one line) or, multiline, text.MultilineProblem: '' when s is fine. */
export function textProblem(s: string, min: number, max: number, multiline = false): string {
  const bad = forbidden(s, multiline)
  if (bad) return `must not contain ${bad}`
  const trimmed = [...s.trim()].length
  if (min > 0 && trimmed === 0) return 'is required'
  if (trimmed < min || [...s].length > max) return min === 0 ? `must be at most ${max} characters` : `must be ${min}-${max} characters`
  return ''
}
