// Starts the real local stack (the Go binary `make dev` runs) on a free
// port with a fresh data directory, and Debian's Chromium, for e2e tests.
import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { appendFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs'
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
  // A contract build (make test-e2e) writes every API exchange that breaks
  // openapi.yaml here; stop() fails the suite with them.
  const report = join(dataDir, 'api-contract.txt')
  const child = spawn(bin, [], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, WEB_DIST: join(root, 'web', 'dist'), DEMO_PURCHASE: 'off', API_CONTRACT_REPORT: report },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  // E2E_STACK_LOG=<file> keeps the platform's log of the run (to debug a failure).
  child.stderr.on('data', (d) => process.env.E2E_STACK_LOG && appendFileSync(process.env.E2E_STACK_LOG, d))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`local stack exited ${child.exitCode}: ${out}`)
    try {
      if ((await fetch(`${base}/v1/healthz`)).ok && out.includes('Demo customer')) break
    } catch {}
    if (Date.now() > deadline) throw new Error('local stack did not become healthy in 30s')
    await new Promise((r) => setTimeout(r, 100))
  }
  const admin = /Demo admin\s+(\S+) \/ (.+)\n/.exec(out)
  const totpSecret = /TOTP secret (\S+)/.exec(out)?.[1]
  const customer = /Demo customer\s+(\S+) \/ (.+)\n/.exec(out)
  return {
    base,
    admin: { email: admin?.[1], password: admin?.[2]?.trim(), totpSecret },
    customer: { email: customer?.[1], password: customer?.[2]?.trim() },
    stop: async () => {
      child.kill('SIGTERM')
      if (existsSync(report)) {
        const found = readFileSync(report, 'utf8').trim()
        if (found) throw new Error(`API exchanges that break openapi.yaml:\n${found}`)
      }
    },
  }
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

/** totp computes the RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 secret. */
export function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)))
  const h = createHmac('sha1', key).update(counter).digest()
  const o = h[h.length - 1] & 0xf
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

/** section opens an account-app section from the navigation and waits for its page. */
export async function section(page, id) {
  const toggle = page.getByTestId('nav-toggle')
  if (await toggle.isVisible()) await toggle.click()
  await page.getByTestId(`nav-${id}`).click()
  await page.waitForFunction((id) => document.querySelector(`[data-testid="nav-${id}"]`)?.classList.contains('v-list-item--active'), id)
}

/**
 * settled waits until the page shows no loading state (a client-side
 * navigation does not wait for the network as a page load does).
 */
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.v-data-table--loading, [aria-busy="true"], .v-skeleton-loader, .v-progress-linear--active'))
  // ...and no fade still running (a table fades back in after loading).
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity))
}

const axeSource = readFileSync(join(root, 'web', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

/**
 * axe runs axe-core on the page as it is now and returns its serious and
 * critical violations (WCAG 2.x A and AA), each as "rule: target" lines.
 */
export async function axe(page) {
  // Evaluated, not added as a <script>: the apps' CSP refuses inline scripts.
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} [${(n.any[0] ?? n.all[0])?.message ?? ''}]`).join(', ')}`)
  })
  return violations
}

/** signInCustomer signs the demo customer in to the account app. */
export async function signInCustomer(page, stack) {
  await page.goto(stack.base + '/account/login')
  await page.getByTestId('signin-email').locator('input').fill(stack.customer.email)
  await page.getByTestId('signin-password').locator('input').fill(stack.customer.password)
  await page.getByTestId('signin-submit').click()
  await page.getByTestId('welcome').waitFor()
}

/** signInAdmin fills the admin sign-in form: password, then TOTP code. */
export async function signInAdmin(page, stack, path = '/admin/') {
  await page.goto(stack.base + path)
  await page.getByTestId('signin-email').locator('input').fill(stack.admin.email)
  await page.getByTestId('signin-password').locator('input').fill(stack.admin.password)
  await page.getByTestId('signin-submit').click()
  // The code is for the platform's time, which the dev clock may have moved.
  const { now } = await (await fetch(stack.base + '/dev/clock')).json()
  await page.getByTestId('signin-code').locator('input').fill(totp(stack.admin.totpSecret, Date.parse(now)))
  await page.getByTestId('signin-submit').click()
  await page.getByTestId('staff-email').waitFor()
}

// openMailLink opens the newest dev-mailbox message whose subject matches
// and returns the first link in its plain-text part that starts with prefix.
export async function openMailLink(browser, stack, subject, prefix) {
  const page = await browser.newPage()
  for (let i = 0; i < 100; i++) {
    await page.goto(stack.base + '/dev/mail')
    const link = page.getByText(subject).first()
    if (await link.count()) {
      await link.click()
      await page.waitForSelector('#text')
      const text = await page.textContent('#text')
      await page.close()
      const url = text.split(/\s+/).find((w) => w.startsWith(prefix))
      if (!url) throw new Error(`no ${prefix} link in: ${text}`)
      return url
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no e-mail "${subject}" arrived`)
}
