// End-to-end: an admin edits an e-mail template in the admin app, previews
// it, saves it, sends a test, and finds it in the dev mailbox.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { launch, outDir, signInAdmin, startStack } from './stack.mjs'

let stack, browser

before(async () => {
  stack = await startStack()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('notification templates', () => {
  it('edit, refuse a broken template, preview, save, send a test, reset', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    await signInAdmin(page, stack, '/admin/templates/payment_failed')
    const subject = page.getByTestId('tpl-subject').locator('input')
    await subject.waitFor()
    assert.match(await subject.inputValue(), /Payment of/)

    await subject.fill('Broken {{.amount')
    await page.getByTestId('tpl-save').click()
    await page.getByText(/unclosed action|unexpected/).first().waitFor()
    // The API's own words, not "the request has invalid fields".
    assert.match(await page.getByTestId('template-message').textContent(), /subject: .*unclosed action/)

    await subject.fill('E2E: {{money .amount .currency}} for {{.customer_name}}')
    await page.getByTestId('tpl-preview').click()
    await page.getByTestId('preview-subject').waitFor()
    assert.equal(await page.getByTestId('preview-subject').textContent(), 'E2E: $11.99 for Ada Lovelace')
    await page.getByTestId('tpl-save').click()
    await page.getByText('Saved. New e-mails of this kind use it.').waitFor()
    await page.screenshot({ path: join(outDir, 'admin-templates.png') })

    await page.getByTestId('tpl-test-to').locator('input').fill('e2e@example.com')
    await page.getByTestId('tpl-test-send').click()
    await page.getByText('Test e-mail queued to e2e@example.com.').waitFor()

    // The test e-mail arrives in the dev mailbox, rendered with the new subject.
    const mailbox = await browser.newPage()
    let found = false
    for (let i = 0; i < 50 && !found; i++) {
      await mailbox.goto(stack.base + '/dev/mail')
      found = (await mailbox.getByText('E2E: $11.99 for Ada Lovelace').count()) > 0
      if (!found) await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok(found, 'the test e-mail is in the dev mailbox')
    await mailbox.getByText('E2E: $11.99 for Ada Lovelace').click()
    await mailbox.waitForSelector('#text')
    assert.match(await mailbox.textContent('#text'), /How to fix it/)
    assert.match(await mailbox.textContent('body'), /e2e@example\.com/)

    await page.getByTestId('tpl-reset').click()
    await page.getByTestId('confirm-title').getByText('Reset Template').waitFor()
    await page.getByTestId('confirm-accept').click()
    await page.getByText('Reset to the default template.').waitFor()
    assert.match(await subject.inputValue(), /Payment of/)

    // The delivery log shows it as sent.
    await page.getByTestId('nav-notifications').click()
    await page.getByTestId('notifications-table').getByText('sent').first().waitFor()
    assert.deepEqual(errors, [])
  })
})
