/**
 * Three people in one room of the web app, in a real Chromium against a real cluster (API, 2
 * gateways, nginx with the app's CSP): the sign-up forms, distinct colours and the legend, the
 * highlight ring, typing, links, live pointers, unread, the phone's tabs, keyboard paths, signing
 * out across tabs, and axe-core on every view. One browser, a context per person.
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { axeViolations } from './axe.js'
import { openUserPage, type PageWatch, SCREENSHOTS } from '@hangout/testkit/browser'
import { browserSuite, describeBrowser, SKIP_BROWSER } from '@hangout/testkit/browser-suite'

const PHONE = { width: 390, height: 844 }
const e2e = browserSuite({ gateways: 2, env: { RATE_LIMIT_MAX: '1000' } })
const { signedIn, watches } = e2e
let ana: PageWatch
let bea: PageWatch
let cid: PageWatch
let roomUrl = ''

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
const people = (page: Page) => page.getByRole('list', { name: 'Participants' }).getByRole('listitem')
const chatLog = (page: Page) => page.getByRole('log', { name: 'Chat' })
const toast = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text })
const card = (page: Page, product: string) =>
  page.locator('.product').filter({ has: page.getByRole('button', { name: product, exact: true }) })
const waitConnected = (page: Page) => page.locator('.connection[data-state="connected"]').waitFor({ timeout: 15000 })
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '')

async function say(page: Page, text: string) {
  await page.getByLabel('Message').fill(text)
  await page.getByLabel('Message').press('Enter')
  await chatLog(page).locator('.message__text').filter({ hasText: text }).first().waitFor()
}

async function expectNoAxeViolations(page: Page, view: string) {
  const violations = await axeViolations(page)
  expect({ view, violations }).toEqual({ view, violations: [] })
}

beforeAll(async () => {
  if (SKIP_BROWSER) return
  ana = await e2e.page()
}, 240000)

describeBrowser('three people in the web app', () => {
  test('signing up: clear, capitalised errors, a sign-in link for a taken email, and focus on the new screen', async () => {
    const { page } = ana
    await page.goto(`${e2e.cluster.url}/register`)
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    await expectNoAxeViolations(page, 'register')
    await page.getByLabel('Name').fill('Ana')
    await page.getByLabel('Email').fill(e2e.email('Ana'))
    // Eight spaces are no password: refused here, with words, and the hint is not said twice.
    await page.getByLabel('Password').fill(' '.repeat(8))
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect(page.locator('#auth-password-error').textContent()).resolves.toBe('Password cannot be only spaces.')
    await expect(page.getByText('At least 8 characters.', { exact: true }).count()).resolves.toBe(0)
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect(page.locator('#auth-password-error').textContent()).resolves.toBe('Password needs at least 8 characters.')
    await expect(page.getByText('At least 8 characters.', { exact: true }).count()).resolves.toBe(0)
    await expectNoAxeViolations(page, 'register with errors')

    // The same email again, from a second person: the refusal offers signing in, as a link.
    const taken = await openUserPage(e2e.browser)
    await fetch(`${e2e.cluster.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Someone', email: e2e.email('taken'), password: 'correct horse battery' }),
    })
    await taken.page.goto(`${e2e.cluster.url}/register`)
    await taken.page.getByLabel('Name').fill('Other')
    await taken.page.getByLabel('Email').fill(e2e.email('taken'))
    await taken.page.getByLabel('Password').fill('correct horse battery')
    await taken.page.getByRole('button', { name: 'Create account' }).click()
    await taken.page.getByRole('link', { name: 'Sign in instead?' }).click()
    await taken.page.waitForURL(/\/login$/)
    // A wrong password: the API's message, capitalised.
    await taken.page.getByLabel('Email').fill(e2e.email('taken'))
    await taken.page.getByLabel('Password').fill('not the password')
    await taken.page.getByRole('button', { name: 'Sign in' }).click()
    const formError = await taken.page.getByRole('alert').first().textContent()
    expect(formError?.charAt(0)).toBe(formError?.charAt(0).toUpperCase())
    await expectNoAxeViolations(taken.page, 'sign in with an error')
    await taken.context.close()

    await page.getByLabel('Password').fill('correct horse battery')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: /where shall we hang out/ }).waitFor()
    // Focus went to the new screen's heading, not back to the body.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1', undefined, { timeout: 5000 })
  })

  test('a room opens with the focus on its heading; a signed-out invite link says a room is waiting', async () => {
    const { page } = ana
    await page.getByLabel('Room name').fill('Flea market')
    await page.getByRole('button', { name: 'Create room' }).click()
    await page.waitForURL(/\/room\/[A-Za-z0-9_-]+$/)
    roomUrl = page.url()
    await waitConnected(page)
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1', undefined, { timeout: 5000 })
    await expect(focusedText(page)).resolves.toBe('Flea market')

    const stranger = await openUserPage(e2e.browser)
    await stranger.page.goto(roomUrl)
    await stranger.page.waitForURL(/\/login\?next=/)
    await stranger.page.getByText('You were invited to a room').waitFor()
    await expectNoAxeViolations(stranger.page, 'sign in from an invite link')
    // The link the room's "Copy invite link" gives names the room in its fragment.
    const copied = await page.evaluate(async () => {
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.includes('Copy invite link'))
      if (!button) throw new Error('no Copy invite link button')
      const written = new Promise<string>((resolve) => {
        Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (value: string) => resolve(value) } })
      })
      button.click()
      return written
    })
    expect(copied).toBe(`${roomUrl}#Flea%20market`)
    await stranger.page.goto(copied)
    await stranger.page.waitForURL(/\/login\?next=/)
    await stranger.page.getByText('You were invited to the room “Flea market”').waitFor()
    await stranger.context.close()
  })

  test('three people get three distinct colours, the same on every screen, each readable on white', async () => {
    bea = await signedIn('Bea')
    cid = await signedIn('Cid')
    for (const { page } of [bea, cid]) {
      await page.goto(roomUrl)
      await waitConnected(page)
    }
    for (const { page } of [ana, bea, cid]) await people(page).nth(2).waitFor()
    const colours = async (page: Page) =>
      Object.fromEntries(
        await people(page).evaluateAll((items) =>
          items.map((item) => [
            item.querySelector('.person__name')?.textContent ?? '',
            getComputedStyle(item.querySelector('.avatar') as Element).backgroundColor,
          ]),
        ),
      )
    const seenByAna = await colours(ana.page)
    expect(new Set(Object.values(seenByAna)).size).toBe(3)
    await expect(colours(bea.page)).resolves.toEqual(seenByAna)
    await expect(colours(cid.page)).resolves.toEqual(seenByAna)
  })

  test('highlights: the ring stays under the pointer, only one’s own counts as pressed, the legend says who picked what', async () => {
    await ana.page.getByRole('button', { name: 'Cedar Notebook', exact: true }).click()
    await bea.page.getByRole('button', { name: 'Basalt Coffee Mug', exact: true }).click()
    await card(bea.page, 'Cedar Notebook').locator('.chip', { hasText: 'Ana' }).waitFor()
    await card(ana.page, 'Basalt Coffee Mug').locator('.chip', { hasText: 'Bea' }).waitFor()
    // Others' highlights are described, not "pressed"; one's own is pressed.
    await bea.page.getByRole('button', { name: 'Cedar Notebook', exact: true, pressed: false }).waitFor()
    await bea.page.getByRole('button', { name: 'Basalt Coffee Mug', exact: true, pressed: true }).waitFor()
    await expect(
      bea.page.getByRole('button', { name: 'Cedar Notebook', exact: true }).evaluate((button) => {
        const id = button.getAttribute('aria-describedby') ?? ''
        return document.getElementById(id)?.textContent ?? ''
      }),
    ).resolves.toContain('Highlighted by Ana')

    // Hovering a highlighted card keeps its ring, in the highlighter's colour.
    const ring = (page: Page, product: string) => card(page, product).evaluate((element) => getComputedStyle(element).boxShadow)
    await card(cid.page, 'Cedar Notebook').hover()
    await cid.page.waitForTimeout(200) // the ring eases in over 0.15 s
    const avatarOfAna = await people(cid.page)
      .filter({ hasText: 'Ana' })
      .locator('.avatar')
      .evaluate((element) => getComputedStyle(element).backgroundColor)
    expect(await ring(cid.page, 'Cedar Notebook')).toContain(avatarOfAna)

    // The legend tells whose colour is whose.
    const legend = cid.page.getByRole('region', { name: 'Highlights' })
    await legend.getByText('Ana: Cedar Notebook').waitFor()
    await legend.getByText('Bea: Basalt Coffee Mug').waitFor()
    await cid.page.mouse.move(0, 0)
    await expectNoAxeViolations(cid.page, 'room with highlights')
  })

  test('typing shows to the others, several typists in one line, and ends with the message', async () => {
    await bea.page.getByLabel('Message').pressSequentially('hel')
    await ana.page.getByText('Bea is typing…').waitFor()
    await cid.page.getByText('Bea is typing…').waitFor()
    await expect(bea.page.getByText('is typing').count()).resolves.toBe(0)
    await cid.page.getByLabel('Message').pressSequentially('hm')
    await ana.page.getByText(/^(Bea and Cid|Cid and Bea) are typing…$/).waitFor()
    await bea.page.getByLabel('Message').pressSequentially('lo')
    await bea.page.getByLabel('Message').press('Enter')
    await ana.page.getByText('Cid is typing…').waitFor()
    // Not renewed: gone within the contract's 3 s.
    await ana.page.getByText('is typing').waitFor({ state: 'detached', timeout: 5000 })
    await cid.page.getByLabel('Message').fill('')
  })

  test('a web address in chat is a link that opens apart; markup stays text', async () => {
    await say(cid.page, 'look: https://example.com/lamps?colour=red. <a href="x">no</a>')
    const link = chatLog(ana.page).getByRole('link', { name: 'https://example.com/lamps?colour=red' })
    await link.waitFor()
    await expect(link.getAttribute('href')).resolves.toBe('https://example.com/lamps?colour=red')
    await expect(link.getAttribute('rel')).resolves.toBe('noopener noreferrer')
    await expect(link.getAttribute('target')).resolves.toBe('_blank')
    await expect(chatLog(ana.page).locator('a').count()).resolves.toBe(1)
    await chatLog(ana.page).getByText('<a href="x">no</a>', { exact: false }).waitFor()
  })

  test('live pointers: each in its owner’s colour with their name, gone when they leave', async () => {
    const catalog = ana.page.getByRole('region', { name: 'Catalog', exact: true })
    const box = await catalog.boundingBox()
    if (!box) throw new Error('no catalog on screen')
    const before = ana.sent('pointer_move')
    for (let step = 0; step <= 20; step++) await ana.page.mouse.move(box.x + 60 + step * 10, box.y + 80 + step * 5)
    const pointer = bea.page.locator('.pointer[data-user="Ana"]')
    await pointer.waitFor()
    await cid.page.locator('.pointer[data-user="Ana"]').waitFor()
    await expect(ana.page.locator('.pointer').count()).resolves.toBe(0)
    expect(ana.sent('pointer_move') - before).toBeGreaterThan(0)
    expect(ana.sent('pointer_move') - before).toBeLessThanOrEqual(21)
    await expect(pointer.textContent()).resolves.toBe('Ana')
    const nameColour = await pointer.locator('.pointer__name').evaluate((element) => getComputedStyle(element).backgroundColor)
    const avatarOfAna = await people(bea.page)
      .filter({ hasText: 'Ana' })
      .locator('.avatar')
      .evaluate((element) => getComputedStyle(element).backgroundColor)
    expect(nameColour).toBe(avatarOfAna)
    await shot(bea.page, 'room-pointers')

    // Ana leaves: her pointer goes with her at once, not after it would have faded.
    await ana.page.getByRole('link', { name: '← Lobby' }).click()
    await pointer.waitFor({ state: 'detached', timeout: 3000 })
    await ana.page.goto(roomUrl)
    await waitConnected(ana.page)
  })

  test('unread: a "new since you left" line on return, and a count in the title while the tab is hidden', async () => {
    await cid.page.getByRole('link', { name: '← Lobby' }).click()
    await toast(ana.page, 'Cid left').waitFor()
    await say(bea.page, 'while Cid was away 1')
    await say(bea.page, 'while Cid was away 2')
    await cid.page.getByRole('list', { name: 'Your rooms' }).getByRole('link', { name: 'Flea market' }).click()
    await waitConnected(cid.page)
    const line = chatLog(cid.page).locator('.chat__new')
    await line.waitFor()
    // The line sits right before the first message Cid had not seen.
    await expect(
      line.evaluate((element) => element.nextElementSibling?.querySelector('.message__text')?.textContent),
    ).resolves.toBe('while Cid was away 1')

    // The tab goes to the background (as the browser says when another tab is in front).
    await cid.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await say(bea.page, 'are you there, Cid?')
    await cid.page.waitForFunction(() => document.title === '(1) Flea market · Hangout')
    await cid.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await cid.page.waitForFunction(() => document.title === 'Flea market · Hangout')
  })

  test('keyboard: Escape dismisses a toast; Tab and Enter highlight a product', async () => {
    await bea.page.getByRole('link', { name: '← Lobby' }).click()
    await toast(ana.page, 'Bea left').waitFor()
    await ana.page.keyboard.press('Escape')
    await toast(ana.page, 'Bea left').waitFor({ state: 'detached', timeout: 2000 })
    await bea.page.getByRole('list', { name: 'Your rooms' }).getByRole('link', { name: 'Flea market' }).click()
    await waitConnected(bea.page)

    await cid.page.getByRole('button', { name: 'Page 3' }).focus()
    await cid.page.keyboard.press('Tab')
    await cid.page.keyboard.press('Tab')
    await expect(focusedText(cid.page)).resolves.toBe('Aurora Desk Lamp')
    const outline = await cid.page.evaluate(() => getComputedStyle(document.activeElement as Element, '::after').outlineStyle)
    expect(outline).toBe('solid')
    await cid.page.keyboard.press('Enter')
    await card(ana.page, 'Aurora Desk Lamp').locator('.chip', { hasText: 'Cid' }).waitFor()
  })

  test('on a phone: Catalog and Chat tabs, an unread badge, toasts clear of the controls, big enough targets', async () => {
    const phone = await e2e.page({ viewport: PHONE, storageState: await cid.context.storageState() })
    const { page } = phone
    await page.goto(roomUrl)
    await waitConnected(page)
    const tabs = page.getByRole('tablist', { name: 'Room' })
    await tabs.getByRole('tab', { name: 'Catalog', selected: true }).waitFor()
    await expect(page.getByLabel('Message').isVisible()).resolves.toBe(false)
    await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0)
    await expectNoAxeViolations(page, 'phone: catalog')
    await shot(page, 'room-phone-catalog')

    // A message while the catalog is shown: the Chat tab counts it.
    await say(bea.page, 'a message for the phone')
    await tabs.getByRole('tab', { name: /^Chat\s*1 new message$/ }).waitFor()
    await shot(page, 'room-phone-unread')
    // Keyboard: the arrow moves between the tabs.
    await tabs.getByRole('tab', { name: 'Catalog' }).focus()
    await page.keyboard.press('ArrowRight')
    await tabs.getByRole('tab', { name: 'Chat', selected: true }).waitFor()
    await expect(tabs.getByRole('tab', { name: /new message/ }).count()).resolves.toBe(0)
    await chatLog(page).getByText('a message for the phone').waitFor()

    // A toast (Bea leaves) does not cover the message box, the people or the room's controls.
    await bea.page.getByRole('link', { name: '← Lobby' }).click()
    const shown = toast(page, 'Bea left')
    await shown.waitFor()
    // Where it rests: it slides in from 0.5 rem lower (0.18 s), transparent at first.
    await shown.evaluate((el) => Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished)))
    const toastBox = await shown.boundingBox()
    if (!toastBox) throw new Error('no toast box')
    for (const control of [
      page.getByLabel('Message'),
      page.getByRole('region', { name: 'Here now' }),
      page.locator('.room__bar'),
    ]) {
      const other = await control.boundingBox()
      if (!other) throw new Error('a control is not on screen')
      const apart =
        toastBox.y + toastBox.height <= other.y ||
        other.y + other.height <= toastBox.y ||
        toastBox.x + toastBox.width <= other.x ||
        other.x + other.width <= toastBox.x
      expect(apart).toBe(true)
    }
    await shot(page, 'room-phone-chat')
    await expectNoAxeViolations(page, 'phone: chat')

    // Targets: 44 px for the buttons, the back link and the switch; 24 px and more for the rest.
    await tabs.getByRole('tab', { name: 'Catalog' }).click()
    const sizes = await page.evaluate(() =>
      [...document.querySelectorAll('button, a, [role="switch"], .switch')]
        .filter((element) => (element as HTMLElement).offsetParent !== null && !element.closest('.chat__log, .toast > span'))
        .map((element) => {
          const box = element.getBoundingClientRect()
          return { what: element.textContent?.trim().slice(0, 30) || element.className, width: box.width, height: box.height }
        }),
    )
    expect(sizes.filter((size) => size.width < 24 || size.height < 24)).toEqual([])
    const primary = [
      ...['Copy invite link', 'Page 1', 'Page 2', 'Page 3'].map((name) => page.getByRole('button', { name, exact: true })),
      page.getByRole('link', { name: '← Lobby' }),
      page.locator('.switch'),
    ]
    for (const target of primary) expect((await target.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44)
    await bea.page.getByRole('list', { name: 'Your rooms' }).getByRole('link', { name: 'Flea market' }).click()
    await waitConnected(bea.page)
    await phone.context.close()
  })

  test('signing out in one tab signs out the others at once', async () => {
    const second = await ana.context.newPage()
    await second.goto(`${e2e.cluster.url}/`)
    await second.getByRole('heading', { name: /where shall we hang out/ }).waitFor()
    await expectNoAxeViolations(second, 'lobby')
    await second.getByRole('button', { name: 'Sign out' }).click()
    await ana.page.waitForURL(/\/login/, { timeout: 5000 })
    await ana.page.getByText('You signed out in another tab.').waitFor()
    await second.close()
  })

  test('no view violates axe, the pages kept the CSP, and no script failed', async () => {
    await bea.page.goto(`${e2e.cluster.url}/room/no-such-room-${e2e.stamp}`)
    await bea.page.getByRole('heading', { name: 'Not found' }).waitFor()
    await expectNoAxeViolations(bea.page, 'not found')
    await bea.page.goto(roomUrl)
    await waitConnected(bea.page)
    await expectNoAxeViolations(bea.page, 'room (desktop)')
    await bea.context.setOffline(true)
    await bea.page.locator('.connection[data-state="offline"]').waitFor()
    await expectNoAxeViolations(bea.page, 'room offline')
    await bea.context.setOffline(false)
    await waitConnected(bea.page)
    for (const watch of watches) {
      expect(watch.cspViolations).toEqual([])
      expect(watch.errors).toEqual([])
    }
  })
})
