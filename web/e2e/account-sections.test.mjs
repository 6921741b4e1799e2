// End-to-end: every section of the account app, reached from its
// navigation on a desktop and on a 390 px phone, with no serious or
// critical accessibility violations (axe-core), a screenshot of each page
// in test-output/e2e/, and the shared confirmation run from the keyboard.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { axe, launch, outDir, settled, section, startStack } from './stack.mjs'

let stack, browser

before(async () => {
  stack = await startStack()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

async function signIn(page) {
  await page.goto(stack.base + '/account/login')
  await page.getByTestId('signin-email').locator('input').fill(stack.customer.email)
  await page.getByTestId('signin-password').locator('input').fill(stack.customer.password)
  await page.getByTestId('signin-submit').click()
  await page.getByTestId('welcome').waitFor()
}

// Each section: its navigation id, its address, and something only it shows.
const sections = [
  { id: 'dashboard', path: '/account/', heading: /Hello, Demo Customer/, ready: 'dashboard', title: 'Dashboard' },
  { id: 'services', path: '/account/services', heading: /^Services$/, ready: 'services-list', title: 'Services' },
  { id: 'billing', path: '/account/billing', heading: /^Billing$/, ready: 'card-add', title: 'Billing' },
  { id: 'account', path: '/account/profile', heading: /^Account$/, ready: 'profile-name', title: 'Account' },
  { id: 'security', path: '/account/security', heading: /^Security$/, ready: 'sessions', title: 'Security' },
  { id: 'tokens', path: '/account/tokens', heading: /^API tokens$/, ready: 'token-create', title: 'API tokens' },
]

for (const { name, viewport } of [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
]) {
  describe(`account sections (${name})`, () => {
    it('each section opens from the navigation, reads well to a screen reader and fits the screen', async () => {
      const page = await browser.newPage({ viewport })
      const errors = []
      page.on('pageerror', (e) => errors.push(e.message))
      await signIn(page)
      for (const s of sections) {
        await section(page, s.id)
        assert.equal(new URL(page.url()).pathname, s.path, `${s.id} lives at ${s.path}`)
        await page.getByTestId(s.ready).first().waitFor()
        await settled(page)
        assert.match((await page.locator('main h1').first().textContent()).trim(), s.heading)
        assert.equal(await page.title(), `${s.title} · EZSCALE`)
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        assert.ok(wide <= 0, `${s.id} scrolls sideways by ${wide}px at ${viewport.width}px`)
        assert.deepEqual(await axe(page), [], `${s.id}: accessibility violations`)
        await page.screenshot({ path: join(outDir, `account-${s.id}-${name}.png`), fullPage: true })
      }
      assert.deepEqual(errors, [])
      await page.close()
    })
  })
}

describe('account app', () => {
  it('sends a signed-out visitor of a section to sign in, and back', async () => {
    const page = await browser.newPage()
    await page.goto(stack.base + '/account/billing')
    await page.waitForURL(/\/account\/login\?next=(%2F|\/)billing$/)
    await page.getByTestId('signin-email').locator('input').fill(stack.customer.email)
    await page.getByTestId('signin-password').locator('input').fill(stack.customer.password)
    await page.getByTestId('signin-submit').click()
    await page.waitForURL(/\/account\/billing$/)
    await page.getByTestId('card-add').waitFor()
    await page.close()
  })

  it('checks the profile as the API does, keeps what was typed, and takes a country by name', async () => {
    const page = await browser.newPage()
    await signIn(page)
    await section(page, 'account')
    const phone = page.getByTestId('profile-phone').locator('input')
    await phone.fill('12')
    await page.getByTestId('profile-save').click()
    await page.getByText('must be a phone number like +44 20 7946 0000').waitFor()
    assert.equal(await phone.inputValue(), '12')
    await phone.fill('+49 30 1234567')
    const country = page.getByTestId('profile-country').locator('input:not([type="hidden"])')
    await country.fill('germ')
    await page.getByRole('option', { name: 'Germany' }).click()
    await page.getByTestId('profile-save').click()
    await page.getByTestId('profile-msg').getByText('Saved.').waitFor()
    const me = await page.evaluate(async () => (await fetch('/v1/me')).json())
    assert.equal(me.profile.billing_address.country, 'DE')
    assert.equal(me.profile.phone, '+49 30 1234567')
    await page.close()
  })

  it('shows sessions as browser and system, and confirms before signing one out (keyboard only)', async () => {
    const other = await browser.newContext({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1' })
    const phone = await other.newPage()
    await signIn(phone)
    const page = await browser.newPage()
    await signIn(page)
    await section(page, 'security')
    const row = page.getByTestId('sessions').locator('.v-list-item', { hasText: 'Safari 18 on iPhone' })
    await row.waitFor()
    assert.doesNotMatch(await page.getByTestId('sessions').innerText(), /Mozilla\/5\.0/, 'no raw user-agent strings')
    assert.match(await row.innerText(), /this computer \(127\.0\.0\.1\)/, 'the place it signed in from')
    const revoke = row.getByRole('button', { name: 'Sign out' })
    await revoke.focus()
    await page.keyboard.press('Enter')
    await page.getByTestId('confirm-title').getByText('Sign Out This Session').waitFor()
    // Destructive: Cancel has the focus, so Enter alone changes nothing.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'confirm-cancel')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await row.waitFor({ state: 'detached' })
    const gone = await phone.evaluate(async () => (await fetch('/v1/me')).status)
    assert.equal(gone, 401)
    await other.close()
    await page.close()
  })
})
