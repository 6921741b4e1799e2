// End-to-end: every section of the admin console, reached from its grouped
// navigation, with no serious or critical accessibility violations
// (axe-core) and a screenshot of each page in test-output/e2e/; the home
// page's numbers link to where staff act.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { axe, launch, outDir, settled, signInAdmin, startStack } from './stack.mjs'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

let stack, browser, staff

// One sign-in for the file: a second within the same 30 s would replay the TOTP code.
before(async () => {
  stack = await startStack()
  browser = await launch()
  staff = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await signInAdmin(await staff.newPage(), stack)
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

// The navigation's sections, read from the app's own list so a new one is checked too.
const ids = [...readFileSync(fileURLToPath(new URL('../src/admin/sections.ts', import.meta.url)), 'utf8').matchAll(/id: '([a-z-]+)'/g)].map((m) => m[1])

describe('admin console', () => {
  it('opens every section from the navigation, readable by a screen reader', async () => {
    assert.ok(ids.length >= 10, `sections found: ${ids}`)
    const page = await staff.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(stack.base + '/admin/')
    await page.getByTestId('home-numbers').waitFor()
    for (const id of ids) {
      await page.getByTestId(`nav-${id}`).click()
      await page.waitForFunction((id) => document.querySelector(`[data-testid="nav-${id}"]`)?.classList.contains('v-list-item--active'), id)
      await page.locator('main h1').first().waitFor()
      await settled(page)
      assert.deepEqual(await axe(page), [], `${id}: accessibility violations`)
      await page.screenshot({ path: join(outDir, `admin-${id}.png`), fullPage: true })
    }
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('home shows today’s numbers, each a way to act', async () => {
    const page = await staff.newPage()
    await page.goto(stack.base + '/admin/')
    for (const t of ['new-orders', 'approvals', 'failed', 'overdue']) await page.getByTestId(`home-${t}`).waitFor()
    // The chart: drawn, and its figures said in words for those who cannot see it.
    // The demo has no sales yet: the chart says so instead of drawing zeros (provisioning.test draws one).
    assert.equal(await page.getByTestId('home-trends-summary').textContent(), 'Last 30 days: no revenue, 0 paid orders.')
    assert.equal(await page.getByTestId('home-trends').locator('canvas').count(), 0)
    await page.getByTestId('home-approvals').click()
    await page.waitForURL(/\/admin\/orders\?status=awaiting_approval/)
    await page.close()
  })

  it('Ctrl+K searches customers by e-mail and opens the one found', async () => {
    const page = await staff.newPage()
    await page.goto(stack.base + '/admin/')
    await page.getByTestId('home-numbers').waitFor()
    await page.keyboard.press('Control+k')
    const box = page.getByTestId('global-search').locator('input')
    await page.waitForFunction(() => document.activeElement?.closest('[data-testid="global-search"]'))
    await box.fill(stack.customer.email.slice(0, 6).toUpperCase())
    await page.getByRole('option', { name: new RegExp(stack.customer.email.replace('.', '\\.')) }).click()
    await page.waitForURL(/\/admin\/customers\/usr_[^?]+$/)
    await page.getByTestId('customer-profile').getByText(stack.customer.email).waitFor()
    await page.screenshot({ path: join(outDir, 'admin-search-customer.png') })

    // Too short to search: nothing is asked, nothing is shown.
    await box.fill('x')
    assert.equal(await page.getByRole('option').count(), 0)
    await page.close()
  })

  it('a customer’s page gathers profile, records and audit trail', async () => {
    const page = await staff.newPage()
    await page.goto(stack.base + '/admin/customers')
    await page.getByTestId(`customer-open-${stack.customer.email}`).click()
    await page.waitForURL(/\/admin\/customers\/usr_/)
    await page.getByTestId('customer-profile').getByText(stack.customer.email).waitFor()
    await settled(page)
    assert.deepEqual(await axe(page), [], 'customer page: accessibility violations')
    await page.screenshot({ path: join(outDir, 'admin-customer.png'), fullPage: true })
    // A change made here shows in the customer's audit trail.
    await page.getByTestId('customer-tax-exempt').locator('input').click()
    for (const [tab, list] of [['Subscriptions', 'customer-subscriptions'], ['Orders', 'customer-orders']]) {
      await page.getByRole('tab', { name: tab }).click()
      await page.getByTestId(list).or(page.getByText(`No ${tab.toLowerCase()}.`)).first().waitFor()
    }
    // A note: refused empty (nothing sent), kept, listed, deleted after a confirmation; both audited.
    await page.getByRole('tab', { name: /Notes/ }).click()
    await page.getByTestId('note-add').click()
    await page.getByText('Write something first.').waitFor()
    await page.getByTestId('note-body').locator('textarea').first().fill('Prefers e-mail.\nCall only for outages.')
    await page.getByTestId('note-add').click()
    await page.getByTestId('customer-notes').getByText('Call only for outages.', { exact: false }).waitFor()
    assert.equal(await page.getByTestId('note-body').locator('textarea').first().inputValue(), '')
    await settled(page)
    assert.deepEqual(await axe(page), [], 'customer notes: accessibility violations')
    await page.getByTestId('note-delete').first().click()
    await page.getByTestId('confirm-title').getByText('Delete Note').waitFor()
    await page.getByTestId('confirm-accept').click()
    await page.getByText('No notes yet.').waitFor()
    await page.getByRole('tab', { name: 'Audit trail' }).click()
    await page.getByTestId('customer-audit').getByText('customer.note_delete').waitFor()
    await page.getByTestId('customer-audit').getByText(/tax/i).first().waitFor()
    await page.getByTestId('customer-tax-exempt').locator('input').click() // back as it was
    // Roles: given here, confirmed first, audited; and back.
    for (const [role, title] of [['Support (read, run services)', 'support'], ['Customer', 'customer']]) {
      await page.getByTestId('customer-role').click()
      await page.getByRole('option', { name: role, exact: true }).click()
      await page.getByTestId('confirm-title').getByText('Change Role').waitFor()
      await page.getByTestId('confirm-accept').click()
      await page.getByTestId('customer-audit').locator('tr', { hasText: 'user.role' }).first().waitFor()
      const user = await page.evaluate(async (u) => (await fetch(u)).json(), `/v1/admin/customers/${page.url().split('/').pop()}`)
      assert.equal(user.role, title)
    }
    await page.close()
  })

  it('creates a plan in the editor, checked as the API checks it, and sells it', async () => {
    const page = await staff.newPage()
    await page.goto(stack.base + '/admin/plans')
    await page.getByTestId('plan-new').click()
    await page.getByTestId('plan-name').locator('input').fill('E2E Cloud 8')
    assert.equal(await page.getByTestId('plan-slug').locator('input').inputValue(), 'e2e-cloud-8')
    await page.getByTestId('price-USD-monthly').locator('input').fill('9.999')
    await page.getByTestId('plan-save').click()
    await page.getByText('must be an amount like 12.99 (2 decimals at most)').waitFor()
    await page.getByText('must list at least one location').waitFor()
    await page.getByTestId('price-USD-monthly').locator('input').fill('9.99')
    await page.getByTestId('plan-locations').locator('input').fill('Dallas, US')
    await page.keyboard.press('Enter')
    await page.getByTestId('plan-status').click()
    await page.getByRole('option', { name: 'Active (on sale)' }).click()
    await settled(page)
    assert.deepEqual(await axe(page), [], 'plan editor: accessibility violations')
    await page.screenshot({ path: join(outDir, 'admin-plan-editor.png'), fullPage: true })
    await page.getByTestId('plan-save').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-message"]')?.textContent.trim() === 'Saved.' || /pln_/.test(location.pathname) || document.querySelector('.v-alert--type-error, [data-testid="plan-message"].bg-error'), null, { timeout: 10000 }).catch(() => {})
    assert.equal((await page.getByTestId('plan-message').textContent()).trim(), 'Saved.')
    await page.waitForURL(/\/admin\/plans\/pln_/)
    const listing = await (await fetch(stack.base + '/v1/plans?currency=USD&cycle=monthly')).json()
    const sold = listing.plans.find((p) => p.slug === 'e2e-cloud-8')
    assert.ok(sold, 'the new plan is on sale')
    // Editing keeps the version: a second save works, a stale one would be refused.
    await page.getByTestId('price-USD-monthly').locator('input').fill('11.00')
    await page.getByTestId('plan-save').click()
    await page.getByTestId('plan-message').getByText('Saved.').waitFor()
    await page.close()
  })

  it('the dunning policy: an inconsistent one is refused in place, a good one saved and its timeline shown', async () => {
    const page = await staff.newPage()
    await page.goto(stack.base + '/admin/settings/dunning')
    await page.getByTestId('dunning-timeline').getByText('Service suspended').waitFor()
    await page.getByTestId('dunning-terminate').locator('input').check()
    await page.getByTestId('dunning-terminate-days').locator('input').fill('5')
    await page.getByTestId('dunning-save').click()
    await page.getByTestId('confirm-accept').click()
    await page.getByTestId('dunning-form').getByText('must be after suspend_after_days').waitFor()
    await page.getByTestId('dunning-terminate-days').locator('input').fill('30')
    await page.getByTestId('dunning-reminders').locator('input').fill('1, 4')
    await page.getByTestId('dunning-renewal-days').locator('input').fill('14')
    await page.getByTestId('dunning-save').click()
    await page.getByTestId('confirm-accept').click()
    await page.getByTestId('dunning-notice').getByText('Saved (version 1).').waitFor()
    await page.getByTestId('dunning-timeline').getByText('Service terminated').waitFor()
    await page.reload()
    assert.equal(await page.getByTestId('dunning-reminders').locator('input').inputValue(), '1, 4')
    assert.equal(await page.getByTestId('dunning-renewal-days').locator('input').inputValue(), '14')
    await page.close()
  })

  it('folds the navigation behind a menu on a narrow screen', async () => {
    const page = await staff.newPage()
    await page.setViewportSize({ width: 800, height: 900 })
    await page.goto(stack.base + '/admin/')
    await page.getByTestId('home-numbers').waitFor()
    const isOpen = () => page.getByTestId('admin-nav').evaluate((el) => el.classList.contains('v-navigation-drawer--active'))
    assert.equal(await isOpen(), false, 'the drawer starts closed')
    await page.getByTestId('nav-toggle').click()
    await page.getByTestId('nav-plans').click()
    await page.waitForURL(/\/admin\/plans$/)
    await page.close()
  })
})
