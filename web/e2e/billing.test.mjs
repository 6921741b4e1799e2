// End-to-end: staff issue a manual invoice; it is e-mailed with its PDF and
// the customer sees it and downloads the PDF in the account app.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { launch, signInAdmin, startStack } from './stack.mjs'

// One admin session for the file: a TOTP code is accepted once.
let stack, browser, admin

before(async () => {
  stack = await startStack()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('manual invoices', () => {
  it('admin issues an invoice; the customer gets the e-mail with the PDF and sees it in the account', async () => {
    admin = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await signInAdmin(admin, stack, '/admin/invoices')
    // Checked before sending, with the API's words, and nothing typed is lost.
    await admin.getByTestId('inv-unit').locator('input').fill('149.001')
    await admin.getByTestId('inv-create').click()
    await admin.getByText('must be an amount with at most 2 decimals').waitFor()
    await admin.getByTestId('inv-description').getByText('is required').waitFor()
    await admin.getByText('No invoices yet.').waitFor() // nothing was created
    await admin.getByTestId('inv-customer').click()
    await admin.getByRole('option', { name: stack.customer.email }).click()
    await admin.getByTestId('inv-description').locator('input').fill('Dedicated server setup — Łódź rack')
    await admin.getByTestId('inv-unit').locator('input').fill('149.00')
    await admin.getByTestId('inv-create').click()
    await admin.getByTestId('inv-finalize').click()
    await admin.getByTestId('confirm-title').getByText('Finalise Invoice').waitFor()
    await admin.getByTestId('confirm-accept').click()
    await admin.getByTestId('invoices-table').getByText('EZS-2026-000001').waitFor()
    assert.match(await admin.getByTestId('invoices-table').textContent(), /\$149\.00/)

    const mail = await browser.newPage()
    let found = false
    for (let i = 0; i < 100 && !found; i++) {
      await mail.goto(stack.base + '/dev/mail')
      found = (await mail.getByText('Invoice EZS-2026-000001 for $149.00').count()) > 0
      if (!found) await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok(found, 'the invoice e-mail is in the dev mailbox')
    await mail.getByText('Invoice EZS-2026-000001 for $149.00').click()
    await mail.getByText('EZS-2026-000001.pdf').waitFor()

    const customer = await browser.newPage()
    await customer.goto(stack.base + '/account/login')
    await customer.getByTestId('signin-email').locator('input').fill(stack.customer.email)
    await customer.getByTestId('signin-password').locator('input').fill(stack.customer.password)
    await customer.getByTestId('signin-submit').click()
    await customer.getByTestId('welcome').waitFor()
    await customer.goto(stack.base + '/account/billing')
    await customer.getByTestId('my-invoices').getByText(/EZS-2026-000001/).waitFor()
    const href = await customer.getByTestId('pdf-EZS-2026-000001').getAttribute('href')
    const pdf = await customer.evaluate(async (u) => {
      const r = await fetch(u)
      return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).slice(0, 5) }
    }, href)
    assert.deepEqual(pdf, { status: 200, type: 'application/pdf', head: '%PDF-' })

    await admin.getByTestId('inv-paid').click()
    await admin.getByTestId('confirm-title').getByText('Mark Invoice Paid').waitFor()
    await admin.getByTestId('confirm-accept').click()
    await admin.getByTestId('invoices-table').getByText('paid').waitFor()
  })

  it('admin manages tax rates; a bad rate shows the field error', async () => {
    await admin.goto(stack.base + '/admin/invoices')
    await admin.getByTestId('tax-rates-table').getByText('20.00 %').waitFor() // seeded GB VAT
    await admin.getByTestId('tax-country').locator('input').fill('nl')
    await admin.getByTestId('tax-percent').locator('input').fill('150')
    await admin.getByTestId('tax-save').click()
    await admin.getByText('must be 0 to 10000 basis points').waitFor()
    await admin.getByTestId('tax-percent').locator('input').fill('21')
    await admin.getByTestId('tax-save').click()
    await admin.getByTestId('tax-rates-table').getByText('21.00 %').waitFor()
    await admin.getByTestId('tax-delete-NL').click()
    await admin.getByTestId('confirm-title').getByText('Delete Tax Rate').waitFor()
    await admin.getByTestId('confirm-accept').click()
    await admin.getByTestId('tax-rates-table').getByText('21.00 %').waitFor({ state: 'detached' })
  })

  it('admin creates a coupon, sees it listed with its use count, and switches it off', async () => {
    await admin.goto(stack.base + '/admin/coupons')
    await admin.getByTestId('coupon-code').locator('input').fill('spring25')
    await admin.getByTestId('coupon-percent').locator('input').fill('0')
    await admin.getByTestId('coupon-create').click()
    await admin.getByText('must be 1 to 10000 basis points (0.01 % to 100 %)').waitFor()
    await admin.getByTestId('coupon-percent').locator('input').fill('25')
    await admin.getByTestId('coupon-create').click()
    const row = admin.getByTestId('coupons-table').locator('tr', { hasText: 'SPRING25' })
    await row.getByText('25.00 % off').waitFor()
    assert.match(await row.textContent(), /All plans/)
    const toggle = admin.getByTestId('coupon-active-SPRING25').locator('input')
    assert.equal(await toggle.isChecked(), true)
    // Wait for the reload the toggle causes, registered before the click
    // (a fast store answers before a wait registered afterwards).
    const reloaded = admin.waitForResponse((r) => r.url().endsWith('/v1/admin/coupons') && r.request().method() === 'GET')
    await toggle.click()
    await reloaded
    assert.equal(await toggle.isChecked(), false)
  })
})
