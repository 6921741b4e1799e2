// End-to-end: a customer orders a VPS, a game server, web hosting and a
// dedicated server in the browser, pays in the simulated Stripe, and
// watches each become active (the deployed provisioning workflow against
// the VirtFusion, Pterodactyl, Enhance and SynergyCP simulators); powers
// the VPS, reveals its login and reinstalls it; opens the website's control panel; staff
// approve the dedicated server and assign it hardware; staff see the
// provisioning log, suspend and move a service to another plan; a declined
// renewal is followed by dunning on the moved dev clock until paying restores
// the suspended service.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { axe, launch, outDir, signInAdmin, startStack } from './stack.mjs'

let stack, browser

before(async () => {
  stack = await startStack()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

// staffPage is one signed-in admin page for the suite: a second sign-in
// within the same 30 s would reuse the TOTP code, which is refused.
let staffTab
async function staffPage(path) {
  if (!staffTab) {
    staffTab = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await signInAdmin(staffTab, stack, path)
  } else {
    await staffTab.goto(stack.base + path)
  }
  return staffTab
}

async function signInCustomer(page) {
  await page.goto(stack.base + '/account/login')
  await page.getByTestId('signin-email').locator('input').fill(stack.customer.email)
  await page.getByTestId('signin-password').locator('input').fill(stack.customer.password)
  await page.getByTestId('signin-submit').click()
  await page.getByTestId('welcome').waitFor()
}

async function order(page, query, fill) {
  await page.goto(stack.base + '/account/order?' + query)
  await page.getByTestId('order-summary').waitFor()
  await fill()
  await page.getByTestId('order-review').click()
  await page.getByTestId('order-pay').click()
  // The hosted payment page, or straight to the order with a saved card.
  await page.waitForURL(/\/dev\/stripe\/checkout\/|\/account\/orders\//)
  if (page.url().includes('/dev/stripe/')) await page.click('button[type=submit]')
  await page.waitForURL(/\/account\/orders\/ord_/)
  await page.getByTestId('order-paid').waitFor()
}

describe('provisioning', () => {
  it('a VPS and a game server ordered in the browser become active', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await signInCustomer(page)

    await order(page, 'plan=vps-starter&cycle=monthly&currency=USD', async () => {
      await page.getByTestId('order-hostname').locator('input').fill('web1.example.com')
      await page.getByTestId('order-os').click()
      await page.getByRole('option', { name: 'debian-12' }).click()
      await page.getByTestId('order-location').click()
      await page.getByRole('option', { name: 'Dallas, US' }).click()
    })
    // The order page follows the new service to ready and links to it.
    await page.getByTestId('order-progress').getByText('Your service is running').waitFor({ timeout: 30000 })
    await page.getByTestId('order-service').getByText('Open your service').click()
    await page.waitForURL(/\/account\/services\/svc_ord_/)
    await page.getByTestId('service-status').getByText('active').waitFor()
    await order(page, 'plan=game-valheim&cycle=monthly&currency=USD', async () => {
      await page.getByTestId('order-game').click()
      await page.getByRole('option', { name: 'Valheim' }).click()
      await page.getByTestId('order-location').click()
      await page.getByRole('option', { name: 'Frankfurt, DE' }).click()
      // Returning customer: pay with the card saved by the first order.
      await page.getByTestId('order-card-4242').locator('input').check()
    })

    await page.goto(stack.base + '/account/')
    const services = page.getByTestId('my-services')
    await services.getByText('VPS Starter').waitFor()
    await page.getByTestId('service-status-VPS Starter').getByText('active').waitFor({ timeout: 30000 })
    await page.getByTestId('service-status-Valheim').getByText('active').waitFor({ timeout: 30000 })
    // The dashboard: both running, and the next invoice is both monthly renewals.
    await page.reload()
    await page.getByTestId('dashboard-active').getByText('2 active').waitFor()
    assert.match(await page.getByTestId('dashboard-next').textContent(), /^\$\d+\.\d\d on /)

    await services.getByText('VPS Starter').click()
    await page.getByTestId('service-ips').waitFor()
    await page.getByTestId('service-usage').waitFor()
    await page.getByTestId('power-restart').click()
    await page.getByTestId('confirm-title').getByText('Restart Server').waitFor()
    await page.getByTestId('confirm-accept').click()
    await page.getByTestId('service-notice').getByText('Restart sent').waitFor()
    // Stop shows: the power state turns Stopped and Start is the way back.
    await page.getByTestId('service-power').getByText('Running').waitFor()
    assert.ok(await page.getByTestId('power-start').isDisabled(), 'Start is off while running')
    await page.getByTestId('power-stop').click()
    await page.getByTestId('confirm-title').getByText('Stop Server').waitFor()
    await page.getByTestId('confirm-accept').click()
    await page.getByTestId('service-power').getByText('Stopped').waitFor()
    assert.ok(await page.getByTestId('power-stop').isDisabled(), 'Stop is off while stopped')
    await page.getByTestId('power-start').click()
    await page.getByTestId('confirm-accept').click()
    await page.getByTestId('service-power').getByText('Running').waitFor()
    // Every reading taken meanwhile is on the live chart, said in words too.
    assert.match(await page.getByTestId('service-live-summary').textContent(), /^Over the last (minute|\d+ minutes): CPU now [\d.]+ %, at most [\d.]+ %; memory now \d+ %\.$/)
    await page.getByTestId('service-live').locator('canvas').waitFor()
    await page.screenshot({ path: join(outDir, 'account-service-vps.png'), fullPage: true })
    assert.deepEqual(await axe(page), [], 'service page: accessibility violations')

    // The login, after typing the account password again (a wrong one first).
    await page.getByTestId('service-credentials').click()
    await page.getByTestId('credentials-password').locator('input').fill('not-my-password')
    await page.getByTestId('credentials-show').click()
    await page.getByTestId('credentials-dialog').getByText('is wrong').waitFor()
    await page.getByTestId('credentials-password').locator('input').fill(stack.customer.password)
    await page.getByTestId('credentials-show').click()
    assert.equal(await page.getByTestId('credentials-username').textContent(), 'root')
    const rootPassword = (await page.getByTestId('credentials-value').textContent()).trim()
    assert.ok(rootPassword.length >= 12, 'a root password is shown')
    await page.getByTestId('credentials-dialog').getByRole('button', { name: 'Copy password' }).waitFor()
    await page.getByTestId('credentials-close').click()

    // A game server is reached at address and port, with a copy button.
    await page.goto(stack.base + '/account/services')
    await page.getByTestId('my-services').getByText('Valheim').click()
    const reach = (await page.getByTestId('service-ips').innerText()).trim()
    assert.match(reach, /^\d+\.\d+\.\d+\.\d+:\d+$/)
    await page.getByTestId('service-ips').getByRole('button', { name: 'Copy address' }).waitFor()

    const mail = await browser.newPage()
    let ready = 0
    for (let i = 0; i < 100 && ready < 2; i++) {
      await mail.goto(stack.base + '/dev/mail')
      ready = await mail.getByText(/is ready/).count()
      if (ready < 2) await new Promise((r) => setTimeout(r, 200))
    }
    assert.equal(ready, 2, 'both credentials e-mails are in the dev mailbox')
    await mail.getByText(/VPS Starter.*is ready/).first().click()
    await mail.getByText(rootPassword).first().waitFor()

    // Reinstall: choose the system, type the server's name and the account
    // password; the page follows the install and the new login is shown.
    await page.goto(stack.base + '/account/services')
    await page.getByTestId('my-services').getByText('VPS Starter').click()
    await page.getByTestId('service-reinstall').click()
    await page.getByTestId('reinstall-os').click()
    await page.getByRole('option', { name: 'ubuntu-24.04' }).click()
    assert.ok(await page.getByTestId('reinstall-submit').isDisabled(), 'Reinstall waits for the name and the password')
    await page.getByTestId('reinstall-confirm').locator('input').fill('web1.example.com')
    await page.getByTestId('reinstall-password').locator('input').fill(stack.customer.password)
    await page.getByTestId('reinstall-submit').click()
    await page.getByTestId('service-reinstalling').waitFor()
    await page.getByTestId('service-reinstalling').waitFor({ state: 'detached', timeout: 30000 })
    await page.getByTestId('service-power').getByText('Running').waitFor()
    await page.getByText('ubuntu-24.04').first().waitFor()
    await page.getByTestId('service-credentials').click()
    await page.getByTestId('credentials-password').locator('input').fill(stack.customer.password)
    await page.getByTestId('credentials-show').click()
    const newPassword = (await page.getByTestId('credentials-value').textContent()).trim()
    assert.ok(newPassword.length >= 12 && newPassword !== rootPassword, 'a new root password after the reinstall')
    await page.getByTestId('credentials-close').click()
  })

  it('web hosting ordered in the browser becomes a website with a control panel link', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signInCustomer(page)
    await order(page, 'plan=hosting-starter&cycle=monthly&currency=USD', async () => {
      // An internationalised domain: kept as DNS and the panel know it.
      await page.getByTestId('order-domain').locator('input').fill('Bücher-Laden.example')
      await page.getByTestId('order-location').click()
      await page.getByRole('option', { name: 'Dallas, US' }).click()
    })
    await page.getByTestId('order-progress').getByText('Your service is running').waitFor({ timeout: 30000 })
    await page.getByTestId('order-service').getByText('Open your service').click()
    await page.waitForURL(/\/account\/services\/svc_ord_/)
    await page.getByTestId('service-status').getByText('active').waitFor()
    await page.getByTestId('service-ips').getByText('xn--bcher-laden-thb.example').waitFor()
    await page.getByRole('heading', { name: 'bücher-laden.example' }).waitFor() // shown as typed
    // Allowances instead of CPU; no power buttons for a website.
    await page.getByTestId('service-usage').getByText('Websites').waitFor()
    assert.equal(await page.getByTestId('power-start').count(), 0)
    assert.equal(await page.getByTestId('service-live').count(), 0)
    await page.getByTestId('service-credentials').waitFor()
    const [panel] = await Promise.all([context.waitForEvent('page'), page.getByTestId('service-panel').click()])
    await panel.waitForLoadState()
    assert.match(panel.url(), /\/dev\/enhance\/sso\//)
    await panel.getByText('Enhance control panel').waitFor()
    await page.screenshot({ path: join(outDir, 'hosting-service.png'), fullPage: true })
    await context.close()
  })

  it('a dedicated server is approved, assigned hardware by staff and runs with power controls', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signInCustomer(page)
    await page.goto(stack.base + '/account/order?plan=dedicated-epyc-7302p&cycle=monthly&currency=USD')
    await page.getByTestId('order-summary').waitFor()
    await page.getByTestId('order-hostname').locator('input').fill('metal.example.com')
    await page.getByTestId('order-os').click()
    await page.getByRole('option', { name: 'debian-12' }).click()
    await page.getByTestId('order-review').click()
    await page.getByTestId('order-pay').click()
    await page.waitForURL(/\/dev\/stripe\/checkout\/|\/account\/orders\//)
    if (page.url().includes('/dev/stripe/')) await page.click('button[type=submit]')
    await page.getByTestId('order-approval').waitFor()
    const orderURL = page.url()

    // Staff approve; no machine exactly like the plan's is free, so the
    // server waits for them in the hardware queue.
    const admin = await staffPage('/admin/orders')
    await admin.getByTestId('orders-table').getByText('EPYC 7302P').first().click()
    await admin.getByTestId('order-approve').click()
    await page.goto(orderURL)
    await page.getByTestId('order-setup').getByText('an engineer is assigning hardware').waitFor({ timeout: 30000 })

    await admin.goto(stack.base + '/admin/services')
    await admin.getByTestId('hardware-queue').waitFor({ timeout: 30000 })
    await admin.getByTestId('hardware-queue').getByText('metal.example.com').click()
    await admin.getByTestId('hardware-assign').getByText('DAL-202').waitFor()
    await axe(admin, 'admin services: hardware assignment')
    await admin.getByTestId('hw-assign-DAL-202').click()
    await admin.getByTestId('confirm-accept').click()
    await admin.getByTestId('hardware-assign').waitFor({ state: 'detached' })

    await page.getByTestId('order-progress').getByText('Your service is running').waitFor({ timeout: 30000 })
    await page.getByTestId('order-service').getByText('Open your service').click()
    await page.getByTestId('service-status').getByText('active').waitFor()
    await page.getByTestId('service-power').waitFor()
    await page.getByTestId('power-stop').click()
    await page.getByTestId('confirm-accept').click()
    await page.getByTestId('service-power').getByText(/Stopped|Off/i).waitFor({ timeout: 30000 })
    await page.screenshot({ path: join(outDir, 'dedicated-service.png'), fullPage: true })
    await context.close()
  })

  it('staff see the provisioning log and suspend a service', async () => {
    const admin = await staffPage('/admin/')
    // The home chart shows today's sales: revenue and the four paid orders (VPS, game server, hosting, dedicated), also as a table for screen readers.
    assert.match(await admin.getByTestId('home-trends-summary').textContent(), /^Last 30 days: \$[\d,.]+ net revenue, 4 paid orders\.$/)
    await admin.getByTestId('home-trends').locator('canvas').waitFor()
    assert.equal(await admin.getByTestId('home-trends').locator('table tbody tr').count(), 30)
    assert.deepEqual(await axe(admin), [], 'admin home with a chart: accessibility violations')
    await admin.screenshot({ path: join(outDir, 'admin-home-chart.png'), fullPage: true })
    await admin.goto(stack.base + '/admin/services')
    // The search finds the service by hostname and by address, on its customer's page.
    const { services } = await admin.evaluate(async () => (await fetch('/v1/admin/services')).json())
    const vps = services.find((s) => s.hostname === 'web1.example.com')
    for (const q of ['WEB1.exam', vps.ips[0]]) {
      await admin.keyboard.press('Control+k')
      await admin.getByTestId('global-search').locator('input').fill(q)
      await admin.getByTestId(`search-result-${vps.id}`).click()
      await admin.waitForURL(new RegExp(`/admin/customers/${vps.customer_id}\\?tab=services&focus=${vps.id}`))
      await admin.getByTestId('customer-services').locator('tr.picked').getByText('web1.example.com').waitFor()
    }
    await admin.goto(stack.base + '/admin/services')
    // By keyboard: the row's link opens the service, focus moves into the
    // dialog, Escape closes it and focus returns to where it was.
    const openLink = admin.getByTestId(`svc-open-${vps.id}`)
    await openLink.focus()
    await admin.keyboard.press('Enter')
    await admin.getByTestId('service-detail').waitFor()
    await admin.waitForFunction(() => !!document.activeElement?.closest('.v-overlay'))
    await admin.keyboard.press('Escape')
    await admin.getByTestId('service-detail').waitFor({ state: 'detached' })
    await admin.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, `svc-open-${vps.id}`)
    await admin.keyboard.press('Enter')
    await admin.getByTestId('service-log').getByText('create').first().waitFor()
    // The log reads as JSON, folded to a line until opened.
    await admin.getByTestId('service-log').locator('details').first().locator('summary').click()
    await admin.getByTestId('service-log').locator('details[open] pre').first().waitFor()
    await admin.getByTestId('svc-suspend').click()
    await admin.getByTestId('confirm-title').getByText('Suspend Service').waitFor()
    await admin.getByTestId('confirm-accept').click()
    await admin.getByTestId('service-detail').getByText('VPS Starter · suspended').waitFor()
    await admin.getByTestId('svc-unsuspend').click()
    await admin.getByTestId('service-detail').getByText('VPS Starter · active').waitFor()
    // Modify: move it to a bigger plan at the panel (confirmed first).
    await admin.getByTestId('svc-plan').click()
    await admin.getByRole('option', { name: 'VPS Standard' }).click()
    await admin.getByTestId('svc-modify').click()
    await admin.getByTestId('confirm-accept').click()
    await admin.getByTestId('service-detail').getByText('VPS Standard · active').waitFor()
    await admin.getByTestId('service-log').getByText('resize').first().waitFor()
  })

  it('a declined renewal is paid from the account in one click', async () => {
    // The simulated Stripe's control page ends a period with a declined charge.
    const dev = await browser.newPage()
    await dev.goto(stack.base + '/dev/stripe/')
    await dev.getByRole('button', { name: 'Renew with a declined card' }).first().click()
    await dev.getByTestId('renew-notice').getByText(/declined/).waitFor()
    await dev.close()

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await signInCustomer(page)
    // The webhooks arrive in a moment: the dashboard says what failed and offers to pay.
    for (let i = 0; i < 60 && !(await page.getByTestId('dashboard-overdue').count()); i++) {
      await page.waitForTimeout(250)
      await page.reload()
      await page.getByTestId('dashboard').waitFor()
    }
    await page.getByTestId('dashboard-pay').click()
    await page.waitForURL(/\/account\/billing$/)
    await page.locator('[data-testid^="pay-sub_"]').first().click()
    await page.getByTestId('billing-notice').getByText(/^Paid\. .+ is active again\.$/).waitFor()
    assert.equal(await page.locator('[data-testid^="pay-sub_"]').count(), 0, 'nothing left to pay')
    await page.goto(stack.base + '/account/')
    await page.getByTestId('dashboard-active').waitFor()
    assert.equal(await page.getByTestId('dashboard-overdue').count(), 0)
    await page.close()
  })

  it('days after a declined renewal (the dev clock moved) the service is suspended; paying restores it', async () => {
    const dev = await browser.newPage()
    await dev.goto(stack.base + '/dev/stripe/')
    await dev.getByRole('button', { name: 'Renew with a declined card' }).first().click()
    await dev.getByTestId('renew-notice').getByText(/declined/).waitFor()
    await dev.close()
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await signInCustomer(page)
    for (let i = 0; i < 60 && !(await page.getByTestId('dashboard-overdue').count()); i++) {
      await page.waitForTimeout(250)
      await page.reload()
      await page.getByTestId('dashboard').waitFor()
    }
    // Seventy-five days on (the clock of make dev moves forward on request; the renewal declined
    // may be one paid above, whose next period starts in two months), dunning has reminded the
    // customer and suspended the service for being overdue; its page says paying restores it.
    // The other subscriptions renew meanwhile, so only this one is followed.
    const moved = await fetch(stack.base + '/dev/clock', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"advance":"75d"}' })
    assert.equal(moved.status, 200)
    await signInCustomer(page) // the days outlive the session
    let suspended
    for (let i = 0; i < 80 && !suspended; i++) {
      // As the account app asks: from the page, with its session.
      const list = await page.evaluate(async () => (await fetch('/v1/me/services', { credentials: 'include' })).json())
      suspended = list.services?.find((s) => s.status === 'suspended' && s.suspend_code === 'overdue')
      if (!suspended) await page.waitForTimeout(250)
    }
    assert.ok(suspended, 'a service is suspended for being overdue')
    await page.goto(stack.base + '/account/services/' + suspended.id)
    await page.getByTestId('service-suspended').getByText(/once it is paid the service comes back by itself/).waitFor()
    await page.screenshot({ path: join(outDir, 'account-service-suspended-overdue.png'), fullPage: true })
    await page.getByTestId('service-pay').click()
    await page.waitForURL(/\/account\/billing$/)
    const payIt = page.getByTestId(`pay-sub_${suspended.order_id}`)
    // The declined charge is in the payments list with its own Pay button too.
    const unpaidRows = page.getByTestId('my-payments').locator('[data-testid^="pay-invoice-"]')
    await payIt.waitFor()
    assert.ok((await unpaidRows.count()) >= 1, 'the unpaid renewal can be paid from the payments list')
    const before = await unpaidRows.count()
    await payIt.click()
    await page.getByTestId('billing-notice').getByText(/^Paid\. .+ is active again\.$/).waitFor()
    assert.equal(await payIt.count(), 0, 'nothing left to pay on it')
    assert.equal(await unpaidRows.count(), before - 1, 'its invoice is no longer unpaid in the list')
    await page.goto(stack.base + '/account/services/' + suspended.id)
    for (let i = 0; i < 60 && (await page.getByTestId('service-suspended').count()); i++) {
      await page.waitForTimeout(250)
      await page.reload()
      await page.getByTestId('service-status').waitFor()
    }
    await page.getByTestId('service-status').getByText('active').waitFor()
    await page.close()
  })
})
