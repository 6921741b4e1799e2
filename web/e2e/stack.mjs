// Starts the real local stack (the Go binary `make dev` runs) on a free
// port with a fresh data directory, and Debian's Chromium, for e2e tests.
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

const root = resolve(import.meta.dirname, '..', '..')
export const outDir = join(root, 'test-output', 'e2e')

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
    s.on('error', rej)
  })
}

export async function startStack() {
  const bin = process.env.EZSCALE_LOCAL_BIN ?? join(root, 'bin', 'local')
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'ezscale-e2e-'))
  const child = spawn(bin, [], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, WEB_DIST: join(root, 'web', 'dist'), ADMIN_API_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', () => {})
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`local stack exited ${child.exitCode}: ${out}`)
    try {
      if ((await fetch(`${base}/v1/healthz`)).ok && out.includes('Admin API bearer secret')) break
    } catch {}
    if (Date.now() > deadline) throw new Error('local stack did not become healthy in 30s')
    await new Promise((r) => setTimeout(r, 100))
  }
  const secret = /Admin API bearer secret: (\S+)/.exec(out)?.[1]
  return { base, secret, stop: () => child.kill('SIGTERM') }
}

export async function launch() {
  mkdirSync(outDir, { recursive: true })
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/** money formats minor units exactly as the web app does (same Intl rules). */
export function money(minor, currency, exponent) {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(minor / 10 ** exponent)
}
