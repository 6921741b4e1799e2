// Shared words and helpers of the support pages: status names and colours,
// and reading picked files into the API's attachment form (base64).
export const statusLabel: Record<string, string> = {
  open: 'Open',
  in_progress: 'In progress',
  waiting_on_customer: 'Awaiting your reply',
  closed: 'Closed',
}
export const statusColor: Record<string, string> = { open: 'info', in_progress: 'primary', waiting_on_customer: 'warning', closed: 'default' }
export const reference = (n: number) => `EZSCALE-${n}`

/** The attachment limits the API enforces, checked here first. */
export const maxFiles = 5
export const maxFileBytes = 4 << 20
const types: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf',
  txt: 'text/plain', log: 'text/plain', conf: 'text/plain', cfg: 'text/plain', ini: 'text/plain', yaml: 'text/plain', yml: 'text/plain',
  json: 'application/json', csv: 'text/csv', zip: 'application/zip', gz: 'application/gzip', tgz: 'application/gzip', eml: 'message/rfc822',
}
export const accept = Object.keys(types).map((e) => '.' + e).join(',')

export type Upload = { name: string; type: string; data: string }

/** typeOf is the media type the API accepts for a file name, or '' when none. */
export function typeOf(name: string): string {
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : ''
  return types[ext] ?? ''
}

/** checkFiles says what is wrong with a choice of files, or ''. */
export function checkFiles(files: { name: string; size: number }[]): string {
  if (files.length > maxFiles) return `At most ${maxFiles} files.`
  for (const f of files) {
    if (!typeOf(f.name)) return `${f.name}: images, PDF, text, log and archive files only.`
    if (f.size > maxFileBytes) return `${f.name} is over 4 MB.`
  }
  return ''
}

/** uploads reads files as the API takes them. */
export async function uploads(files: File[]): Promise<Upload[]> {
  return Promise.all(files.map(async (f) => {
    const bytes = new Uint8Array(await f.arrayBuffer())
    let bin = ''
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return { name: f.name, type: typeOf(f.name), data: btoa(bin) }
  }))
}
