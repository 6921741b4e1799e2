// End-to-end: a customer's VPS is metered from the simulated ElastiFlow
// records. The service page shows the cycle against the allowance with
// daily bars and the last 24 hours; crossing 90 % and then 100 % e-mails
// the customer once each; when the cycle has ended and its days are
// closed, the overage goes onto the next invoice with an e-mail, and the
// page lists the cycle. Staff see the days, the largest consumers and the
// services near their allowance.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { axe, launch, outDir, settled, signInAdmin, signInCustomer, startStack } from './stack.mjs'

let stack, browser

before(async () => {
  stack = await startStack()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

async function post(path, body) {
  const res = await fetch(stack.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  assert.ok(res.ok, `${path}: ${res.status} ${text}`)
  return JSON.parse(text)
}

// mailed waits for a dev-mailbox message whose subject contains part.
async function mailed(part, timeout = 60_000) {
  const deadline = Date.now() + timeout
  for (;;) {
    const msgs = await (await fetch(stack.base + '/dev/mail.json')).json()
    const found = msgs.filter((m) => m.Subject.includes(part))
    if (found.length) return found
    if (Date.now() > deadline) throw new Error(`no e-mail "${part}"; subjects: ${msgs.map((m) => m.Subject).join(' | ')}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

describe('bandwidth', () => {
  it('meters a VPS, warns at its thresholds and bills the overage of a closed cycle', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await signInCustomer(page, stack)
    await page.goto(stack.base + '/account/order?plan=vps-starter&cycle=monthly&currency=USD')
    await page.getByTestId('order-summary').waitFor()
    await page.getByTestId('order-hostname').locator('input').fill('metered.example.com')
    await page.getByTestId('order-os').click()
    await page.getByRole('option', { name: 'debian-12' }).click()
    await page.getByTestId('order-location').click()
    await page.getByRole('option', { name: 'Dallas, US' }).click()
    await page.getByTestId('order-review').click()
    await page.getByTestId('order-pay').click()
    await page.waitForURL(/\/dev\/stripe\/checkout\/|\/account\/orders\//)
    if (page.url().includes('/dev/stripe/')) await page.click('button[type=submit]')
    await page.getByTestId('order-progress').getByText('Your service is running').waitFor({ timeout: 30000 })
    await page.getByTestId('order-service').getByText('Open your service').click()
    await page.waitForURL(/\/account\/services\/svc_ord_/)
    const id = new URL(page.url()).pathname.split('/').pop()

    // 92 % of the 2 TB allowance: one e-mail, at the highest threshold crossed.
    const view = await post('/dev/elastiflow/usage', { service_id: id, percent: 92 })
    assert.equal(view.usage.percent, 92)
    await page.reload()
    await page.getByTestId('bandwidth-used').getByText('92 %').waitFor()
    await page.getByText('This cycle, day by day').waitFor()
    await page.getByText('Last 24 hours').waitFor()
    await settled(page)
    assert.deepEqual(await axe(page), [])
    await page.screenshot({ path: join(outDir, 'account-service-bandwidth.png'), fullPage: true })
    assert.equal((await mailed('has used 90% of its bandwidth')).length, 1)
    assert.equal((await (await fetch(stack.base + '/dev/mail.json')).json()).filter((m) => m.Subject.includes('has used 75%')).length, 0)

    // A day on (the day closes and the cycle is recorded), past the allowance.
    await post('/dev/clock', { advance: '1d' })
    await post('/dev/elastiflow/usage', { service_id: id, percent: 130 })
    await mailed('has used 100% of its bandwidth')

    // The cycle ends; once its last day closes the overage is billed.
    await post('/dev/clock', { advance: '31d' })
    const [overage] = await mailed('Bandwidth overage for', 90_000)
    assert.match(overage.Text, /on your next invoice|added to your next invoice/)
    // A month on, the session has expired: sign in again.
    await signInCustomer(page, stack)
    await page.goto(stack.base + '/account/services/' + id)
    await page.getByTestId('bandwidth-cycles').getByText('on your next invoice').waitFor()

    // Staff: the days' syncs, the largest consumers, those near their allowance.
    const admin = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await signInAdmin(admin, stack, '/admin/bandwidth')
    await admin.getByTestId('bandwidth-days').getByText('closed').first().waitFor()
    await admin.getByTestId('bandwidth-top').getByText('metered.example.com').waitFor()
    await settled(admin)
    assert.deepEqual(await axe(admin), [])
    await admin.screenshot({ path: join(outDir, 'admin-bandwidth.png'), fullPage: true })
  })
})
