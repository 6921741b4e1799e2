import { describe, expect, it } from 'vitest'
import { checkFiles, typeOf, uploads } from './tickets'

describe('attachments', () => {
  it('types files by their extension as the API does', () => {
    expect(typeOf('Screen Shot.PNG')).toBe('image/png')
    expect(typeOf('nginx.conf')).toBe('text/plain')
    expect(typeOf('setup.exe')).toBe('')
  })
  it('refuses what the API would', () => {
    expect(checkFiles([{ name: 'a.png', size: 10 }])).toBe('')
    expect(checkFiles([{ name: 'a.exe', size: 10 }])).toContain('a.exe')
    expect(checkFiles([{ name: 'big.pdf', size: 5 << 20 }])).toContain('over 4 MB')
    expect(checkFiles(Array.from({ length: 6 }, (_, i) => ({ name: `${i}.txt`, size: 1 })))).toContain('At most 5')
  })
  it('reads files as base64', async () => {
    const [u] = await uploads([new File(['hello'], 'hi.txt')])
    expect(u).toEqual({ name: 'hi.txt', type: 'text/plain', data: btoa('hello') })
  })
})
