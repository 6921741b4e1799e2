// End-to-end: a customer buys a VPS with PayPal (the simulator's approval
// page), the dev clock renews it at PayPal, staff refund part of the
// renewal through PayPal, the customer turns an upgrade down on PayPal's
// page (its charge is refunded), then upgrades (agreeing to the new price)
// and cancels. Every step reaches the
// pages from PayPal's signed webhooks.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { axe, launch, outDir, signInAdmin, signInCustomer, startStack } from './stack.mjs'

let stack, browser

before(async () => {
  stack = await startStack()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

// myPayments is the ledger as the account app reads it.
const myPayments = (page) => page.evaluate(async () => (await (await fetch('/v1/me/payments', { credentials: 'include' })).json()).payments)

describe('PayPal', () => {
  it('buy with PayPal → renew by the clock → staff refund part → upgrade with consent → cancel', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await signInCustomer(page, stack)
    await page.goto(stack.base + '/account/order?plan=vps-standard&cycle=monthly&currency=USD')
    await page.getByTestId('order-hostname').locator('input').fill('paypal.example.com')
    await page.getByTestId('order-os').click()
    await page.getByRole('option', { name: 'debian-12' }).click()
    await page.getByTestId('order-location').click()
    await page.getByRole('option', { name: 'Dallas, US' }).click()
    await page.getByTestId('order-paypal').click()
    await page.getByTestId('order-review').click()
    await page.getByTestId('order-quote').waitFor()
    const total = (await page.getByTestId('order-total').textContent()).trim()
    assert.match(await page.getByTestId('order-pay').textContent(), /Continue to PayPal/)
    assert.deepEqual(await axe(page), [], 'order page with PayPal: accessibility violations')
    await page.getByTestId('order-pay').click()

    // PayPal's approval page (simulated): the terms name the price.
    await page.waitForURL(/\/dev\/paypal\/webapps\/billing\/subscriptions\?ba_token=/)
    assert.match(await page.getByTestId('paypal-terms').textContent(), new RegExp(total.replace('$', '\\$').replace('.', '\\.')))
    await page.getByTestId('paypal-approve').click()
    // Back with us; the verified webhooks, not the redirect, pay the order.
    await page.waitForURL(/\/account\/orders\/ord_\w+\?.*subscription_id=/)
    await page.getByTestId('order-paid').waitFor()
    await page.getByTestId('order-service').waitFor()

    await page.goto(stack.base + '/account/billing')
    await page.getByTestId('my-subscriptions').getByText(/^Renews .* · PayPal$/).waitFor()
    const [first] = await myPayments(page)
    assert.equal(first.gateway, 'paypal')
    assert.match(await page.getByTestId(`method-${first.id}`).textContent(), /^PayPal · \w+$/)
    assert.equal(await page.getByTestId('my-subscriptions').getByText('Update card').count(), 0, 'no card to update with PayPal')
    await page.screenshot({ path: join(outDir, 'account-billing-paypal.png'), fullPage: true })

    // A month and a bit later PayPal has billed the renewal.
    const moved = await fetch(stack.base + '/dev/clock', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"advance":"32d"}' })
    assert.equal(moved.status, 200)
    await signInCustomer(page, stack) // the days outlive the session
    let renewal
    for (let i = 0; i < 80 && !renewal; i++) {
      renewal = (await myPayments(page)).find((p) => p.status === 'succeeded' && p.id !== first.id)
      if (!renewal) await page.waitForTimeout(250)
    }
    assert.ok(renewal, 'the renewal PayPal billed is on the ledger')
    assert.equal(renewal.gateway, 'paypal')

    const admin = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await signInAdmin(admin, stack, '/admin/payments')
    await admin.getByTestId(`refund-${renewal.gateway_charge_id}`).click()
    await admin.getByTestId('refund-dialog').waitFor()
    await admin.getByTestId('refund-amount').locator('input').fill('1.00')
    await admin.getByTestId('refund-confirm').click()
    await admin.getByTestId('payments-table').getByText('−$1.00').waitFor()

    await page.goto(stack.base + '/account/billing')
    await page.getByTestId('my-payments').getByText(/\$1\.00 refunded/).waitFor()
    // (That PayPal's own PAYMENT.SALE.REFUNDED for it adds nothing is
    // checked where the deliveries can be counted: infra/local/stack.)

    // An upgrade turned down on PayPal's page is taken back, its charge refunded.
    await page.getByTestId('my-subscriptions').locator('[data-testid^="change-"]').click()
    await page.getByTestId('change-plan').click()
    await page.getByRole('option', { name: /VPS Pro/ }).click()
    await page.getByTestId('change-preview').waitFor()
    await page.getByTestId('change-confirm').click()
    await page.waitForURL(/\/dev\/paypal\/webapps\/billing\/subscriptions\/update\?ba_token=/)
    await page.getByTestId('paypal-revision-cancel').click()
    await page.waitForURL(/\/account\/billing\?change=chg_\w+&consent=cancelled/)
    await page.getByTestId('consent-cancelled').getByText(/is refunded/).waitFor()
    assert.equal((await myPayments(page)).filter((p) => p.status === 'refund').length, 2, 'the staff refund and the turned-down change\'s')

    // An upgrade: priced here, agreed to on PayPal's page, then made.
    await page.getByTestId('my-subscriptions').locator('[data-testid^="change-"]').click()
    await page.getByTestId('change-plan').click()
    await page.getByRole('option', { name: /VPS Pro/ }).click()
    await page.getByTestId('change-preview').waitFor()
    const charge = (await page.getByTestId('change-total').textContent()).trim()
    assert.match(await page.getByTestId('change-consent').textContent(), new RegExp(`charges ${charge.replace('$', '\\$').replace('.', '\\.')} through PayPal now`))
    await page.getByTestId('change-confirm').click()
    await page.waitForURL(/\/dev\/paypal\/webapps\/billing\/subscriptions\/update\?ba_token=/)
    await page.getByTestId('paypal-revision-approve').click()
    await page.waitForURL(/\/account\/billing\?change=chg_/)
    await page.getByTestId('consent-done').getByText(/VPS Pro/).waitFor()
    const cents = Math.round(Number(charge.replace(/[^\d.]/g, '')) * 100)
    const charges = (await myPayments(page)).filter((p) => p.status === 'succeeded' && p.amount === cents)
    assert.equal(charges.length, 2, 'two charges of the difference: the turned-down change\'s and this one\'s')
    assert.ok(charges.some((p) => p.refunded === 0) && charges.some((p) => p.refunded === cents), 'the agreed change\'s charge stands; the turned-down one is refunded')

    await page.getByTestId('my-subscriptions').locator('[data-testid^="cancel-"]').click()
    await page.getByTestId('cancel-now').click()
    await page.getByTestId('cancel-confirm').click()
    await page.getByTestId('my-subscriptions').getByText(/^Cancelled /).waitFor()
  })
})
