// End-to-end: a customer signs up, confirms the e-mail from the dev
// mailbox, signs in, edits the profile, turns on TOTP, signs in again with
// a code, and resets the password through an e-mailed link.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { launch, openMailLink, outDir, section, startStack, totp } from './stack.mjs'

let stack, browser

before(async () => {
  stack = await startStack()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

const mailLink = (subject, prefix) => openMailLink(browser, stack, subject, prefix)

async function signIn(page, email, password, code) {
  await page.goto(stack.base + '/account/login')
  await page.getByTestId('signin-email').locator('input').fill(email)
  await page.getByTestId('signin-password').locator('input').fill(password)
  await page.getByTestId('signin-submit').click()
  if (code) {
    await page.getByTestId('signin-code').locator('input').fill(code())
    await page.getByTestId('signin-submit').click()
  }
  await page.getByTestId('welcome').waitFor()
}

describe('customer account', () => {
  const email = 'grace.hopper@example.com'
  let password = 'compiler ships cobol daily'
  let secret = ''
  let recovery = []

  it('signs up, confirms the e-mail and signs in', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(stack.base + '/account/register')
    await page.getByTestId('reg-name').locator('input').fill('Grace Hopper')
    await page.getByTestId('reg-email').locator('input').fill(email)
    await page.getByTestId('reg-password').locator('input').fill('password1234')
    await page.getByTestId('reg-submit').click()
    await page.getByText(/common password/).waitFor() // refused, with the reason on the field
    await page.getByTestId('reg-password').locator('input').fill(password)
    await page.getByTestId('reg-submit').click()
    await page.getByTestId('register-done').waitFor()

    const link = await mailLink('Confirm your e-mail address', stack.base + '/account/verify?token=')
    await page.goto(link)
    await page.getByTestId('verify-ok').waitFor()
    await page.goto(link) // single use
    await page.getByTestId('verify-failed').waitFor()

    await signIn(page, email, password)
    assert.match(await page.textContent('[data-testid="welcome"]'), /Grace Hopper/)
    await section(page, 'account')
    await page.getByTestId('profile-vat').locator('input').fill('GB123456789')
    await page.getByTestId('profile-save').click()
    await page.getByTestId('profile-msg').getByText('Saved.').waitFor()
    await page.screenshot({ path: join(outDir, 'account-home.png'), fullPage: true })
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('turns on TOTP and then needs a code to sign in', async () => {
    const page = await browser.newPage()
    await signIn(page, email, password)
    await section(page, 'security')
    await page.getByTestId('totp-start').click()
    secret = (await page.getByTestId('totp-secret').textContent()).trim()
    await page.getByTestId('totp-code').locator('input').fill(totp(secret))
    await page.getByTestId('totp-confirm').click()
    await page.getByTestId('recovery-codes').waitFor()
    recovery = (await page.textContent('[data-testid="recovery-codes"] pre')).trim().split('\n')
    assert.equal(recovery.length, 10)
    await page.getByTestId('sign-out').click()
    await page.getByTestId('go-signin').waitFor()

    // Sign in again: the TOTP step appears; a fresh time step avoids replay refusal.
    await signIn(page, email, password, () => totp(secret, Date.now() + 30_000))
    // A recovery code stands in for the app, once.
    await page.getByTestId('sign-out').click()
    await page.getByTestId('go-signin').waitFor()
    await signIn(page, email, password, () => recovery[0])
    await page.close()
  })

  it('resets a forgotten password through the e-mailed link', async () => {
    const page = await browser.newPage()
    await page.goto(stack.base + '/account/forgot')
    await page.getByTestId('forgot-email').locator('input').fill(email)
    await page.getByTestId('forgot-submit').click()
    await page.getByTestId('forgot-sent').waitFor()
    const link = await mailLink('Reset your EZSCALE password', stack.base + '/account/reset?token=')
    await page.goto(link)
    password = 'a completely new passphrase'
    await page.getByTestId('reset-password').locator('input').fill(password)
    await page.getByTestId('reset-submit').click()
    await page.getByTestId('reset-done').waitFor()
    // The link proves the address, so every other way in is gone: the
    // authenticator app too (someone who registered the address first may
    // have set it up). Signing in needs only the new password.
    await signIn(page, email, password)
    await section(page, 'security')
    await page.getByTestId('totp-start').waitFor()
    await page.close()
  })

  it('changes the e-mail address after confirming the new one', async () => {
    const page = await browser.newPage()
    await signIn(page, email, password)
    await section(page, 'account')
    await page.getByTestId('email-new').locator('input').fill('grace@navy.example')
    await page.getByTestId('email-password').locator('input').fill(password)
    await page.getByTestId('email-change').click()
    await page.getByTestId('email-msg').getByText(/new address/).waitFor()
    const link = await mailLink('Confirm your e-mail address', stack.base + '/account/verify?token=')
    await page.goto(link)
    await page.getByTestId('verify-ok').waitFor()
    await signIn(page, 'grace@navy.example', password)
    assert.match(await page.textContent('body'), /grace@navy\.example/)
    await page.close()
  })

  it('creates an API token that works as a Bearer token and can be revoked', async () => {
    const page = await browser.newPage()
    await signIn(page, stack.customer.email, stack.customer.password)
    await section(page, 'tokens')
    await page.getByTestId('token-name').locator('input').fill('monitoring')
    await page.getByTestId('token-create').click()
    const secret = (await page.textContent('[data-testid="token-secret"] pre')).trim()
    assert.match(secret, /^ezs_pat_/)
    const me = await fetch(stack.base + '/v1/me', { headers: { Authorization: `Bearer ${secret}` } })
    assert.equal(me.status, 200)
    assert.equal((await me.json()).email, stack.customer.email)
    // Revoking asks first; Escape keeps the token.
    await page.getByTestId('token-revoke-monitoring').click()
    await page.getByTestId('confirm-title').getByText('Revoke API Token').waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId('confirm-title').waitFor({ state: 'detached' })
    // and the focus is back on the button that asked, so the keyboard carries on from there.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'token-revoke-monitoring')
    assert.equal((await fetch(stack.base + '/v1/me', { headers: { Authorization: `Bearer ${secret}` } })).status, 200)
    await page.getByTestId('token-revoke-monitoring').click()
    await page.getByTestId('confirm-accept').click()
    await page.getByTestId('tokens').getByText('monitoring').waitFor({ state: 'detached' })
    assert.equal((await fetch(stack.base + '/v1/me', { headers: { Authorization: `Bearer ${secret}` } })).status, 401)
    await page.close()
  })

  it('registers a passkey and signs in with it, passwordless', async () => {
    // Browsers refuse WebAuthn on IP addresses; the stack serves localhost too.
    const base = stack.base.replace('127.0.0.1', 'localhost')
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    const cdp = await ctx.newCDPSession(page)
    await cdp.send('WebAuthn.enable')
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    })
    await page.goto(base + '/account/login')
    await page.getByTestId('signin-email').locator('input').fill(stack.customer.email)
    await page.getByTestId('signin-password').locator('input').fill(stack.customer.password)
    await page.getByTestId('signin-submit').click()
    await page.getByTestId('welcome').waitFor()
    await section(page, 'security')
    await page.getByTestId('passkey-name').locator('input').fill('Work laptop')
    await page.getByTestId('passkey-add').click()
    await page.getByTestId('passkeys').getByText('Work laptop').waitFor()
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
    assert.equal(credentials.length, 1)
    assert.ok(credentials[0].isResidentCredential, 'a discoverable credential')

    await page.getByTestId('sign-out').click()
    await page.getByTestId('go-signin').waitFor()
    await page.goto(base + '/account/login')
    await page.getByTestId('signin-passkey').click()
    await page.getByTestId('welcome').waitFor()
    assert.match(await page.textContent('[data-testid="welcome"]'), /Demo Customer/)

    // The same key presented as another account's credential (a forged user
    // handle) is refused.
    const [cred] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials
    await cdp.send('WebAuthn.clearCredentials', { authenticatorId })
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: { ...cred, userHandle: Buffer.from('usr_someone_else').toString('base64') },
    })
    await page.getByTestId('sign-out').click()
    await page.getByTestId('go-signin').waitFor()
    await page.goto(base + '/account/login')
    await page.getByTestId('signin-passkey').click()
    await page.getByTestId('signin-error').getByText('could not be verified').waitFor()
    await ctx.close()
  })

  it('a customer cannot use the admin app', async () => {
    const page = await browser.newPage()
    await page.goto(stack.base + '/admin/')
    await page.getByTestId('signin-email').locator('input').fill(stack.customer.email)
    await page.getByTestId('signin-password').locator('input').fill(stack.customer.password)
    await page.getByTestId('signin-submit').click()
    await page.getByText('This account is not a staff account.').waitFor()
    await page.close()
  })
})
