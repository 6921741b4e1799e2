// A session's user-agent string as people say it: "Firefox 133 on
// Windows 10", "Safari on iPhone". bowser knows the browsers; an empty or
// unreadable string is "Unknown device".
import Bowser from 'bowser'

export interface Device {
  browser: string
  os: string
  /** label is the whole sentence. */
  label: string
  mobile: boolean
}

export function describeDevice(userAgent: string | undefined | null): Device {
  const ua = (userAgent ?? '').trim()
  if (!ua) return { browser: '', os: '', label: 'Unknown device', mobile: false }
  const p = Bowser.parse(ua)
  const major = p.browser.version?.split('.')[0]
  const browser = p.browser.name ? `${p.browser.name}${major ? ' ' + major : ''}` : ''
  const model = p.platform.type === 'mobile' || p.platform.type === 'tablet' ? (p.platform.model ?? '') : ''
  const osName = p.os.name ? `${p.os.name}${p.os.versionName ? ' ' + p.os.versionName : ''}` : ''
  const os = model || osName
  const label = browser && os ? `${browser} on ${os}` : browser || os || ua.slice(0, 60)
  return { browser, os, label, mobile: p.platform.type === 'mobile' || p.platform.type === 'tablet' }
}
