/**
 * Editing and deleting one's own chat messages in the web app, in a real Chromium against a real
 * cluster: the others see the edit (marked) and the deletion (shown as removed) live, a reload and
 * a late joiner see the same history, and nobody gets the controls for another's message.
 * Needs the gateway's edit_message / delete_message handlers (issue 14).
 */
import type { Page } from 'playwright-core'
import { axeViolations } from './axe.js'
import type { PageWatch } from '@hangout/testkit/browser'
import { browserSuite, describeBrowser, SKIP_BROWSER } from '@hangout/testkit/browser-suite'

const e2e = browserSuite({ gateways: 2 })
const { signedIn } = e2e
let ana: PageWatch
let bea: PageWatch
let roomUrl = ''

const chatLog = (page: Page) => page.getByRole('log', { name: 'Chat' })
const messageWith = (page: Page, text: string) => chatLog(page).locator('.message').filter({ hasText: text })
const waitConnected = (page: Page) => page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 })

beforeAll(async () => {
  if (SKIP_BROWSER) return
  ana = await signedIn('Ana')
  bea = await signedIn('Bea')
  await ana.page.goto(`${e2e.cluster.url}/`)
  await ana.page.getByLabel('Room name').fill('Edits')
  await ana.page.getByRole('button', { name: 'Create room' }).click()
  await ana.page.waitForURL(/\/room\//)
  roomUrl = ana.page.url()
  await bea.page.goto(roomUrl)
  await Promise.all([waitConnected(ana.page), waitConnected(bea.page)])
}, 240000)

describeBrowser('editing and deleting one’s own messages', () => {
  test('an edit by keyboard shows live to the other, marked as edited; Escape cancels one', async () => {
    await ana.page.getByLabel('Message').fill('the lamp is 30 euros')
    await ana.page.getByLabel('Message').press('Enter')
    await messageWith(bea.page, 'the lamp is 30 euros').waitFor()
    // Bea has no controls for Ana's message.
    await expect(messageWith(bea.page, 'the lamp is 30 euros').getByRole('button').count()).resolves.toBe(0)

    const mine = messageWith(ana.page, 'the lamp is 30 euros')
    await mine.getByRole('button', { name: 'Edit' }).focus()
    await ana.page.keyboard.press('Enter')
    const box = ana.page.getByLabel('Edit your message')
    // Focus moves in an effect after the render: wait for it, within a bound.
    await ana.page.waitForFunction(() => /^edit-/.test(document.activeElement?.id ?? ''), undefined, { timeout: 5000 })
    await box.press('Escape')
    await box.waitFor({ state: 'detached' })
    await mine.getByRole('button', { name: 'Edit' }).click()
    await box.fill('the lamp is 25 euros')
    expect((await axeViolations(ana.page)).map((violation) => violation.id)).toEqual([])
    await box.press('Enter')
    const edited = messageWith(bea.page, 'the lamp is 25 euros')
    await edited.getByText('(edited)').waitFor()
    await expect(messageWith(bea.page, '30 euros').count()).resolves.toBe(0)
    await messageWith(ana.page, 'the lamp is 25 euros').getByText('(edited)').waitFor()
  })

  test('a deletion asks first, then shows as removed for both; reloads and late joiners see the same', async () => {
    await ana.page.getByLabel('Message').fill('oops, wrong room')
    await ana.page.getByLabel('Message').press('Enter')
    await messageWith(bea.page, 'oops, wrong room').waitFor()
    const mine = messageWith(ana.page, 'oops, wrong room')
    await mine.getByRole('button', { name: 'Delete' }).click()
    // The safe choice has the focus; the message is still there.
    await ana.page.waitForFunction(() => document.activeElement?.textContent === 'Keep it', undefined, { timeout: 5000 })
    await ana.page.keyboard.press('Enter')
    await messageWith(bea.page, 'oops, wrong room').waitFor()
    await mine.getByRole('button', { name: 'Delete' }).click()
    await mine.getByRole('button', { name: 'Yes, delete' }).click()
    await chatLog(bea.page).getByText('This message was deleted.').waitFor()
    await expect(messageWith(bea.page, 'oops, wrong room').count()).resolves.toBe(0)
    await chatLog(ana.page).getByText('This message was deleted.').waitFor()

    await bea.page.reload()
    await waitConnected(bea.page)
    await chatLog(bea.page).getByText('This message was deleted.').waitFor()
    await messageWith(bea.page, 'the lamp is 25 euros').getByText('(edited)').waitFor()

    const cid = await signedIn('Cid')
    await cid.page.goto(roomUrl)
    await waitConnected(cid.page)
    await chatLog(cid.page).getByText('This message was deleted.').waitFor()
    await messageWith(cid.page, 'the lamp is 25 euros').getByText('(edited)').waitFor()
    await expect(messageWith(cid.page, 'oops').count()).resolves.toBe(0)
    await cid.context.close()
  })

  test('no script failed and the CSP held', () => {
    for (const watch of [ana, bea]) {
      expect(watch.cspViolations).toEqual([])
      expect(watch.errors).toEqual([])
    }
  })
})
