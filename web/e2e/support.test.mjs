// End-to-end: the support desk. A customer opens a ticket with a
// screenshot in the account app; staff find it in the console's queue,
// answer with a canned reply and keep an internal note; the customer
// answers the e-mail (through the local SMTP port, as a mail client
// would) and the answer lands on the ticket; the customer closes it.
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

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')

describe('support desk', () => {
  it('customer opens a ticket → staff answer in the console → customer answers by e-mail → closes', async () => {
    const customer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    const errors = []
    customer.on('pageerror', (e) => errors.push(e.message))
    await signInCustomer(customer, stack)
    await customer.getByTestId('nav-support').click()
    await customer.getByTestId('open-ticket').click()
    await customer.getByTestId('ticket-subject').locator('input').fill('Website returns 502')
    await customer.getByTestId('ticket-body').locator('textarea').fill('Since 09:12 every page answers 502 Bad Gateway.')
    await customer.getByTestId('ticket-files').locator('input[type=file]').setInputFiles({ name: 'error page.png', mimeType: 'image/png', buffer: png })
    assert.deepEqual(await axe(customer), [], 'open-ticket dialog: accessibility violations')
    await customer.getByTestId('ticket-submit').click()
    await customer.waitForURL(/\/account\/support\/tkt_\w+$/)
    const ticketURL = customer.url()
    await customer.getByTestId('ticket-status').getByText('Open').waitFor()
    await customer.getByTestId('file-error page.png').waitFor()

    // Staff: the queue, the ticket, a canned reply and a note.
    const staff = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage()
    await signInAdmin(staff, stack, '/admin/tickets')
    await staff.getByTestId('open-ticket-1').click()
    await staff.getByTestId('ticket-subject').getByText('EZSCALE-1 · Website returns 502').waitFor()
    await staff.getByTestId('assign-me').click()
    await staff.getByTestId('set-assignee').getByText('Demo Admin (admin)').waitFor()
    await staff.getByTestId('staff-reply').locator('textarea').fill('Internal: the web node ran out of PHP workers.')
    await staff.getByTestId('reply-note').locator('input').check()
    await staff.getByTestId('staff-send').click()
    await staff.getByText('internal note', { exact: false }).first().waitFor()
    await staff.getByTestId('canned').click()
    await staff.getByRole('option', { name: 'Restarted the server' }).click()
    assert.match(await staff.getByTestId('staff-reply').locator('textarea').inputValue(), /We restarted your server/)
    await staff.getByTestId('staff-send').click()
    await staff.getByTestId('ticket-status').getByText('Waiting on customer').waitFor()
    assert.deepEqual(await axe(staff), [], 'console ticket page: accessibility violations')
    await staff.screenshot({ path: join(outDir, 'admin-ticket.png'), fullPage: true })
    // The console's home counts it among the open tickets, under 4 hours old.
    await staff.getByTestId('nav-home').click()
    assert.equal((await staff.getByTestId('tickets-age-hours').textContent()).trim(), '1')

    // The customer's mail: the answer, threaded; they answer it.
    const mail = await browser.newPage()
    let opened = false
    for (let i = 0; i < 100 && !opened; i++) {
      await mail.goto(stack.base + '/dev/mail')
      const link = mail.getByText('[EZSCALE-1] Website returns 502', { exact: true })
      for (let j = 0; j < (await link.count()) && !opened; j++) {
        await link.nth(j).click()
        opened = (await mail.textContent('#text')).includes('We restarted your server')
        if (!opened) await mail.goBack()
      }
      if (!opened) await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok(opened, "staff's answer reached the customer's mailbox")
    assert.doesNotMatch(await mail.textContent('body'), /PHP workers/, 'an internal note was mailed')
    await mail.getByTestId('dev-reply-body').fill('It works again — thank you!')
    await mail.getByTestId('dev-reply-send').click()
    await mail.locator('#replied').waitFor()

    // Within one poll the answer is on the ticket, and it is open again.
    for (let i = 0; i < 150; i++) {
      await customer.goto(ticketURL)
      await customer.getByTestId('ticket-status').waitFor()
      if ((await customer.getByText('It works again — thank you!').count()) > 0) break
      await new Promise((r) => setTimeout(r, 200))
    }
    await customer.getByText('It works again — thank you!').waitFor()
    assert.equal(await customer.getByText('by e-mail').count(), 1)
    assert.equal(await customer.getByText(/PHP workers/).count(), 0, 'the customer sees an internal note')
    await customer.getByTestId('ticket-status').getByText('Open').waitFor()
    assert.deepEqual(await axe(customer), [], 'ticket page: accessibility violations')
    await customer.screenshot({ path: join(outDir, 'account-ticket.png'), fullPage: true })
    await customer.getByTestId('close-ticket').click()
    await customer.getByTestId('ticket-status').getByText('Closed').waitFor()
    await customer.getByTestId('nav-dashboard').click()
    await customer.getByTestId('ticket-status-1').getByText('Closed').waitFor()
    assert.deepEqual(errors, [])
  })
})
