/**
 * The web app in a real Chromium against a real cluster (API, 3 gateways, nginx with the app's
 * CSP): two people in two browser contexts register, meet in a room, chat, highlight, follow each
 * other's page and scroll, reload, leave and come back, and ride out a killed gateway.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { type PageWatch, SCREENSHOTS } from '@hangout/testkit/browser'
import * as clients from '@hangout/testkit/clients'
import { browserSuite, describeBrowser, SKIP_BROWSER } from '@hangout/testkit/browser-suite'

// CHAT_BURST: one test fills a room with more than a history page at once.
const e2e = browserSuite({ gateways: 3, env: { RATE_LIMIT_MAX: '1000', CHAT_BURST: '100' } })
const { watches } = e2e
let ana: PageWatch
let bea: PageWatch
let roomUrl = ''

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
const people = (page: Page) => page.getByRole('list', { name: 'Participants' }).getByRole('listitem')
const chatLog = (page: Page) => page.getByRole('log', { name: 'Chat' })
const toast = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text })
const connection = (page: Page) => page.locator('.connection')
const catalogTop = (page: Page) =>
  page
    .getByRole('region', { name: 'Catalog', exact: true })
    .evaluate((element) => element.scrollTop / (element.scrollHeight - element.clientHeight))

async function register(watch: PageWatch, name: string) {
  const { page } = watch
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(e2e.email(name))
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create account' }).click()
}

async function waitConnected(page: Page, timeout = 10000) {
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout })
}

async function expectPressed(page: Page, product: string, pressed: boolean) {
  await page.getByRole('button', { name: product, exact: true, pressed }).waitFor({ timeout: 5000 })
}

beforeAll(async () => {
  if (SKIP_BROWSER) return
  mkdirSync(SCREENSHOTS, { recursive: true })
  ana = await e2e.page()
  bea = await e2e.page()
}, 240000)

describeBrowser('two people in the web app', () => {
  test('sign-in screens: a signed-out visit lands on sign in; wrong fields are explained beside them', async () => {
    const response = await ana.page.goto(e2e.cluster.url)
    const csp = response?.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).not.toContain('unsafe')
    await ana.page.waitForURL(/\/login$/)
    await ana.page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await shot(ana.page, 'sign-in')

    await ana.page.getByRole('link', { name: 'Create an account instead' }).click()
    await ana.page.waitForURL(/\/register$/)
    await ana.page.getByLabel('Email').fill('not-an-email')
    await ana.page.getByLabel('Password').fill('short')
    await ana.page.getByRole('button', { name: 'Create account' }).click()
    await expect(ana.page.locator('#auth-name-error').textContent()).resolves.toBe('Name is required.')
    await expect(ana.page.locator('#auth-email-error').textContent()).resolves.toBe('Enter a valid email address.')
    await expect(ana.page.getByLabel('Password').getAttribute('aria-invalid')).resolves.toBe('true')
    await shot(ana.page, 'register-errors')
  })

  test('they register, one creates a room, the other follows the invite link, and both see each other', async () => {
    await register(ana, 'Ana')
    await ana.page.getByRole('button', { name: 'Create room' }).waitFor()
    await ana.page.getByLabel('Room name').fill('Saturday market')
    await ana.page.getByRole('button', { name: 'Create room' }).click()
    await ana.page.waitForURL(/\/room\/[A-Za-z0-9_-]+$/)
    roomUrl = ana.page.url()
    await waitConnected(ana.page)
    await ana.page.getByRole('heading', { name: 'Saturday market' }).waitFor()
    await ana.page.waitForFunction(() => document.title === 'Saturday market · Hangout')
    // Alone in the room, the list says so.
    await ana.page.getByText('Nobody else is here yet').waitFor()

    // Bea opens the invite link signed out: she signs up and lands in the room.
    await bea.page.goto(roomUrl)
    await bea.page.waitForURL(/\/login\?next=/)
    await bea.page.getByRole('link', { name: 'Create an account instead' }).click()
    await register(bea, 'Bea')
    await bea.page.waitForURL(roomUrl)
    await waitConnected(bea.page)

    await toast(ana.page, 'Bea joined').waitFor()
    // Each list starts with its reader, marked "you".
    await expect(people(ana.page).locator('.person__name').allTextContents()).resolves.toEqual(['Ana', 'Bea'])
    await expect(people(bea.page).locator('.person__name').allTextContents()).resolves.toEqual(['Bea', 'Ana'])
    await expect(people(bea.page).filter({ hasText: 'you' }).textContent()).resolves.toContain('Bea')
  })

  test('chat goes both ways, as text, with Enter to send and Shift+Enter for a new line', async () => {
    const hostile = 'Hi Bea <img src=x onerror="document.title=1"> <b>bold?</b>'
    await ana.page.getByLabel('Message').fill(hostile)
    await ana.page.getByLabel('Message').press('Enter')
    await chatLog(bea.page).getByText(hostile, { exact: true }).waitFor()
    await expect(chatLog(bea.page).locator('img, b').count()).resolves.toBe(0)
    await expect(ana.page.getByLabel('Message').inputValue()).resolves.toBe('')

    const box = bea.page.getByLabel('Message')
    await box.click()
    await bea.page.keyboard.type('Hello Ana')
    await bea.page.keyboard.press('Shift+Enter')
    await bea.page.keyboard.type('shall we look at lamps?')
    await expect(box.inputValue()).resolves.toBe('Hello Ana\nshall we look at lamps?')
    await bea.page.getByRole('button', { name: 'Send' }).click()
    await chatLog(ana.page).locator('.message__text').filter({ hasText: 'shall we look at lamps?' }).waitFor()
    await expect(chatLog(ana.page).locator('.message__text').allTextContents()).resolves.toEqual([
      hostile,
      'Hello Ana\nshall we look at lamps?',
    ])
    await expect(chatLog(bea.page).locator('.message__text').count()).resolves.toBe(2)
  })

  test('a click highlights the product for both, in the clicker’s colour; the keyboard works too', async () => {
    await ana.page.getByRole('button', { name: 'Cedar Notebook', exact: true }).click()
    // Pressed for Ana, who pressed it; highlighted (and described so) for Bea.
    await expectPressed(ana.page, 'Cedar Notebook', true)
    await bea.page.locator('.product--highlighted').filter({ hasText: 'Cedar Notebook' }).waitFor()
    await expectPressed(bea.page, 'Cedar Notebook', false)
    // Bea's highlight, by keyboard: from the page buttons, Tab reaches the catalog, then its first product.
    await bea.page.getByRole('button', { name: 'Page 3' }).focus()
    await bea.page.keyboard.press('Tab')
    await expect(bea.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Catalog')
    await bea.page.keyboard.press('Tab')
    await expect(bea.page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Aurora Desk Lamp')
    // The focus ring is drawn on the card (the button's stretched ::after).
    const outline = await bea.page.evaluate(() => getComputedStyle(document.activeElement as Element, '::after').outlineStyle)
    expect(outline).toBe('solid')
    await bea.page.keyboard.press('Enter')
    await expectPressed(bea.page, 'Aurora Desk Lamp', true)
    await ana.page.locator('.product--highlighted').filter({ hasText: 'Aurora Desk Lamp' }).waitFor()
    await expect(ana.page.locator('.product--highlighted').filter({ hasText: 'Basalt Coffee Mug' }).count()).resolves.toBe(0)

    // Each highlight wears its clicker's colour, the one their avatar shows in the room, on the other's screen.
    const avatarColour = (page: Page, name: string) =>
      people(page)
        .filter({ hasText: name })
        .locator('.avatar')
        .evaluate((element) => getComputedStyle(element).backgroundColor)
    const borderOf = (page: Page, product: string) =>
      page
        .locator('.product')
        .filter({ has: page.getByRole('button', { name: product, exact: true }) })
        .evaluate((element) => getComputedStyle(element).borderTopColor)
    // (The border eases into its colour: read it once the transition has ended.)
    await ana.page.waitForTimeout(300)
    await bea.page.waitForTimeout(300)
    expect(await borderOf(bea.page, 'Cedar Notebook')).toBe(await avatarColour(bea.page, 'Ana'))
    expect(await borderOf(ana.page, 'Aurora Desk Lamp')).toBe(await avatarColour(ana.page, 'Bea'))
    expect(await borderOf(ana.page, 'Basalt Coffee Mug')).not.toBe(await avatarColour(ana.page, 'Bea'))
    await ana.page.mouse.move(0, 0)
    await shot(ana.page, 'room')
  })

  test('page and scroll follow the room, at most ~20 updates a second, with no echo back', async () => {
    await ana.page.getByRole('button', { name: 'Page 2' }).click()
    await bea.page.locator('.pages__button[aria-current="page"]', { hasText: 'Page 2' }).waitFor()
    await bea.page.getByRole('button', { name: 'Iris Ceramic Vase', exact: true }).waitFor()
    await expect(ana.page.getByRole('button', { name: 'Page 1' }).getAttribute('aria-current')).resolves.toBeNull()

    const anaBefore = ana.sent('scroll_update')
    const beaBefore = bea.sent('scroll_update')
    // Ana scrolls down in 60 small steps over about 1.2 s, as a wheel would.
    const started = Date.now()
    await ana.page.getByRole('region', { name: 'Catalog', exact: true }).evaluate(async (element) => {
      const max = element.scrollHeight - element.clientHeight
      for (let step = 1; step <= 60; step++) {
        element.scrollTop = (max * step) / 60
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })
    const seconds = (Date.now() - started) / 1000
    const deadline = Date.now() + 5000
    while (Math.abs((await catalogTop(bea.page)) - 1) > 0.01 && Date.now() < deadline) await bea.page.waitForTimeout(50)
    expect(await catalogTop(bea.page)).toBeCloseTo(1, 2)
    const anaSent = ana.sent('scroll_update') - anaBefore
    expect(anaSent).toBeGreaterThanOrEqual(5)
    expect(anaSent).toBeLessThanOrEqual(Math.ceil(seconds * 20) + 2)
    // Applying Ana's scroll made Bea send nothing back.
    await bea.page.waitForTimeout(300)
    expect(bea.sent('scroll_update') - beaBefore).toBe(0)

    // And the other way round.
    const anaQuiet = ana.sent('scroll_update')
    await bea.page.getByRole('region', { name: 'Catalog', exact: true }).evaluate((element) => {
      element.scrollTop = (element.scrollHeight - element.clientHeight) / 2
    })
    const until = Date.now() + 5000
    while (Math.abs((await catalogTop(ana.page)) - 0.5) > 0.02 && Date.now() < until) await ana.page.waitForTimeout(50)
    expect(await catalogTop(ana.page)).toBeCloseTo(0.5, 1)
    await ana.page.waitForTimeout(300)
    expect(ana.sent('scroll_update')).toBe(anaQuiet)
  })

  test('“Follow the room” off: Bea browses alone and sends nothing; on again: she rejoins the room’s view', async () => {
    const follow = bea.page.getByRole('switch', { name: 'Follow the room' })
    await follow.uncheck()
    await ana.page.getByRole('button', { name: 'Page 3' }).click()
    await bea.page.getByText('The room is on page 3').waitFor()
    await expect(bea.page.getByRole('button', { name: 'Page 2' }).getAttribute('aria-current')).resolves.toBe('page')
    const beaBefore = bea.sent('scroll_update') + bea.sent('page_change')
    await bea.page.getByRole('button', { name: 'Page 1' }).click()
    await bea.page.getByRole('region', { name: 'Catalog', exact: true }).evaluate((element) => {
      element.scrollTop = element.scrollHeight
    })
    await bea.page.waitForTimeout(300)
    expect(bea.sent('scroll_update') + bea.sent('page_change')).toBe(beaBefore)
    await expect(ana.page.getByRole('button', { name: 'Page 3' }).getAttribute('aria-current')).resolves.toBe('page')

    await follow.check()
    await expect(bea.page.getByRole('button', { name: 'Page 3' }).getAttribute('aria-current')).resolves.toBe('page')
    await bea.page.getByRole('button', { name: 'Tidal Beach Towel', exact: true }).waitFor()
  })

  test('a reload keeps the session, the room and its history, without duplicates', async () => {
    await bea.page.reload()
    await waitConnected(bea.page)
    await chatLog(bea.page).locator('.message__text').nth(1).waitFor()
    await expect(chatLog(bea.page).locator('.message__text').count()).resolves.toBe(2)
    await expect(bea.page.getByRole('button', { name: 'Page 3' }).getAttribute('aria-current')).resolves.toBe('page')
    await bea.page.getByRole('button', { name: 'Tidal Beach Towel', exact: true }).waitFor()
    await expect(people(bea.page).count()).resolves.toBe(2)
  })

  test('leaving and coming back: the list and the toasts follow, the lobby counts who is online', async () => {
    await bea.page.getByRole('link', { name: '← Lobby' }).click()
    await toast(ana.page, 'Bea left').waitFor()
    await expect(people(ana.page).count()).resolves.toBe(1)
    const row = bea.page.getByRole('list', { name: 'Your rooms' }).getByRole('listitem').filter({ hasText: 'Saturday market' })
    await row.getByText('1 online').waitFor()
    await shot(bea.page, 'lobby')
    await row.getByRole('link', { name: 'Saturday market' }).click()
    await waitConnected(bea.page)
    await toast(ana.page, 'Bea joined').waitFor()
    await expect(people(ana.page).count()).resolves.toBe(2)
  })

  test('the room’s gateway is killed: both are back within seconds, on another node, with everything', async () => {
    const node = await connection(ana.page).getAttribute('data-node')
    const victim = e2e.cluster.gateways.find((gateway) => gateway.nodeId === node)
    if (!victim) throw new Error(`no gateway serves ${node}`)
    const killedAt = Date.now()
    await e2e.cluster.killGateway(victim.index)
    for (const page of [ana.page, bea.page]) {
      await page.locator(`.connection[data-state="connected"]:not([data-node="${node}"])`).waitFor({ timeout: 15000 })
    }
    const backMs = Date.now() - killedAt
    expect(backMs).toBeLessThan(10000)
    console.info(`web e2e: both browsers back on another node ${backMs} ms after the gateway was killed`)

    await ana.page.getByLabel('Message').fill('still here after the crash')
    await ana.page.getByLabel('Message').press('Enter')
    await chatLog(bea.page).getByText('still here after the crash').waitFor()
    await expect(chatLog(bea.page).locator('.message__text').count()).resolves.toBe(3)
    await expect(people(ana.page).count()).resolves.toBe(2)
    await expect(people(bea.page).count()).resolves.toBe(2)
  })

  test('new messages scroll in for a reader at the bottom; one who scrolled up gets a “new messages” pill', async () => {
    const atBottom = (page: Page) =>
      chatLog(page).evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight < 40)
    const tall = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n')
    for (let i = 0; i < 3; i++) {
      await ana.page.getByLabel('Message').fill(tall)
      await ana.page.getByRole('button', { name: 'Send' }).click()
    }
    await bea.page.waitForFunction(() => document.querySelectorAll('.chat__log .message').length >= 6)
    expect(await atBottom(bea.page)).toBe(true)

    await chatLog(bea.page).evaluate((element) => {
      element.scrollTop = 0
    })
    await ana.page.getByLabel('Message').fill('look down here')
    await ana.page.getByLabel('Message').press('Enter')
    const pill = bea.page.getByRole('button', { name: /1 new message/ })
    await pill.waitFor()
    expect(await atBottom(bea.page)).toBe(false)
    expect(await atBottom(ana.page)).toBe(true)
    await pill.click()
    await chatLog(bea.page).getByText('look down here').waitFor()
    expect(await atBottom(bea.page)).toBe(true)
    await expect(pill.count()).resolves.toBe(0)
  })

  test('offline and back: the badge says so, a send is refused and kept, missed chat and presence arrive once', async () => {
    const longName = 'Bartholomew-Maximilian-Featherstonehaugh'
    const longWord = 'Supercalifragilistic'.repeat(12)
    await ana.context.setOffline(true)
    await ana.page.locator('.connection[data-state="offline"]').waitFor({ timeout: 5000 })
    await expect(connection(ana.page).textContent()).resolves.toContain('Offline')
    // The list is only what was true at the last connection, and says so.
    await ana.page.getByText('as of your last connection').waitFor()
    await ana.page.getByLabel('Message').fill('typed while offline')
    await ana.page.getByLabel('Message').press('Enter')
    await ana.page.getByRole('alert').filter({ hasText: 'Not sent: you are not connected' }).waitFor()
    await expect(ana.page.getByLabel('Message').inputValue()).resolves.toBe('typed while offline')
    // The note under the box shrank the chat: its reader stays at the end.
    await ana.page.waitForFunction(
      () => {
        const log = document.querySelector('.chat__log')
        return log !== null && log.scrollHeight - log.scrollTop - log.clientHeight < 40
      },
      null,
      { timeout: 2000 },
    )
    await shot(ana.page, 'room-offline')

    // Meanwhile Bea writes and leaves, and a newcomer with a long name arrives and writes a long word.
    await bea.page.getByLabel('Message').fill('sent while Ana was offline')
    await bea.page.getByLabel('Message').press('Enter')
    // The sender's own pending line holds the same text until the ack: wait for the delivered message.
    await chatLog(bea.page).locator('.message__text', { hasText: 'sent while Ana was offline' }).waitFor()
    await bea.page.getByRole('link', { name: '← Lobby' }).click()
    const bart = await e2e.page()
    await bart.page.goto(roomUrl)
    await bart.page.getByRole('link', { name: 'Create an account instead' }).click()
    await register(bart, longName)
    await bart.page.waitForURL(roomUrl)
    await waitConnected(bart.page)
    await people(bart.page).filter({ hasText: 'Bea' }).waitFor({ state: 'detached' })
    await bart.page.getByLabel('Message').fill(longWord)
    await bart.page.getByLabel('Message').press('Enter')
    await chatLog(bart.page).locator('.message__text', { hasText: longWord }).waitFor()

    await ana.context.setOffline(false)
    await waitConnected(ana.page)
    await ana.page.getByText('as of your last connection').waitFor({ state: 'detached' })
    await chatLog(ana.page).getByText(longWord).waitFor()
    await expect(chatLog(ana.page).getByText('sent while Ana was offline').count()).resolves.toBe(1)
    await expect(chatLog(ana.page).getByText(longWord).count()).resolves.toBe(1)
    // Who came is said at once; who went only after the rejoin grace (they may be rejoining too).
    await toast(ana.page, `${longName} joined while you were away`).waitFor()
    await ana.page.waitForTimeout(500)
    await expect(toast(ana.page, longName).count()).resolves.toBe(1)
    await toast(ana.page, 'Bea left while you were away').waitFor()
    await expect(people(ana.page).locator('.person__name').allTextContents()).resolves.toEqual(['Ana', longName])
    // Each change toasted once, however the rejoin went.
    await ana.page.waitForTimeout(500)
    await expect(toast(ana.page, 'Bea left').count()).resolves.toBe(1)
    // Long names and words wrap: nothing sticks out sideways.
    for (const region of [chatLog(ana.page), ana.page.getByRole('list', { name: 'Participants' }), ana.page.locator('.toasts')]) {
      await expect(region.evaluate((element) => element.scrollWidth - element.clientWidth)).resolves.toBeLessThanOrEqual(0)
    }
    await shot(ana.page, 'room-back-online')

    // Back online, the refusal is gone and the kept message goes out.
    await expect(ana.page.getByRole('alert').filter({ hasText: 'Not sent' }).count()).resolves.toBe(0)
    await ana.page.getByLabel('Message').press('Enter')
    await chatLog(bart.page).getByText('typed while offline').waitFor()
    await expect(ana.page.getByLabel('Message').inputValue()).resolves.toBe('')
    await bart.context.close()

    await bea.page.getByRole('list', { name: 'Your rooms' }).getByRole('link', { name: 'Saturday market' }).click()
    await waitConnected(bea.page)
    await toast(ana.page, 'Bea joined').waitFor()
  })

  test('a long history: earlier messages load above without moving what the reader looks at', async () => {
    // Cid, a plain socket client, fills a room of his with more than one history page.
    const cid = await clients.register(e2e.cluster.url, 'Cid')
    const roomId = await clients.createRoom(e2e.cluster.url, cid)
    const socket = clients.connect(e2e.cluster.url, roomId, cid)
    try {
      await clients.join(socket, roomId)
      for (let n = 1; n <= 60; n++) await clients.say(socket, roomId, `history ${n}`)
    } finally {
      socket.disconnect()
    }
    const { page } = bea
    await page.goto(`${e2e.cluster.url}/room/${roomId}`)
    await waitConnected(page)
    const line = (n: number) => chatLog(page).getByText(`history ${n}`, { exact: true })
    await line(60).waitFor()
    await expect(line(10).count()).resolves.toBe(0)
    await chatLog(page).evaluate((element) => {
      element.scrollTop = 0
    })
    const offset = () =>
      line(11).evaluate((element) => {
        const log = element.closest('[role="log"]')
        return element.getBoundingClientRect().top - (log?.getBoundingClientRect().top ?? 0)
      })
    const before = await offset()
    await page.getByRole('button', { name: 'Load earlier messages' }).click()
    await line(1).waitFor({ state: 'attached' })
    expect(Math.abs((await offset()) - before)).toBeLessThanOrEqual(2)
    await expect(chatLog(page).locator('.message__text').count()).resolves.toBe(60)
    // The room's beginning: the button is gone and the keyboard is in the chat, not lost.
    await page.getByRole('button', { name: 'Load earlier messages' }).waitFor({ state: 'detached' })
    await expect(page.evaluate(() => document.activeElement?.getAttribute('role'))).resolves.toBe('log')

    await page.goto(roomUrl)
    await waitConnected(page)
  })

  test('on a phone-sized screen the room fits the width and stays usable', async () => {
    const phone = await e2e.page({
      viewport: { width: 390, height: 844 },
      storageState: await ana.context.storageState(),
    })
    await phone.page.goto(roomUrl)
    await waitConnected(phone.page)
    await phone.page.getByRole('button', { name: 'Page 3', exact: true }).waitFor()
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await shot(phone.page, 'room-phone')
    await phone.page.getByRole('button', { name: 'Page 1' }).click()
    await bea.page.locator('.pages__button[aria-current="page"]', { hasText: 'Page 1' }).waitFor()

    // A link to a room that does not exist says so, with a way back.
    await phone.page.goto(`${e2e.cluster.url}/room/no-such-room-${e2e.stamp}`)
    await phone.page.getByRole('heading', { name: 'Not found' }).waitFor()
    await phone.page.getByRole('link', { name: 'Back to the lobby' }).click()
    await phone.page.getByRole('heading', { name: /where shall we hang out/ }).waitFor()

    // Signing out ends the session on this device and revokes its token: the room asks to sign in again.
    const signedOut = await phone.page.evaluate(() => JSON.parse(localStorage.getItem('hangout.session') ?? '{}').token as string)
    await phone.page.getByRole('button', { name: 'Sign out' }).click()
    await phone.page.waitForURL(/\/login$/)
    await expect(phone.page.evaluate(() => localStorage.getItem('hangout.session'))).resolves.toBeNull()
    const reused = await fetch(`${e2e.cluster.url}/api/auth/profile`, { headers: { authorization: `Bearer ${signedOut}` } })
    expect(reused.status).toBe(401)
    await phone.page.goto(roomUrl)
    await phone.page.waitForURL(/\/login\?next=/)
    await phone.context.close()
  })

  test('an expired or refused token sends them back to sign in, with a message', async () => {
    // Same user, an expiry in the past: caught on load, before any request.
    await bea.page.evaluate(() => {
      const key = 'hangout.session'
      const stored = JSON.parse(localStorage.getItem(key) ?? '{}')
      const [head, , signature] = String(stored.token).split('.')
      const claims = btoa(JSON.stringify({ sub: stored.user.id, exp: Math.floor(Date.now() / 1000) - 60 }))
        .replaceAll('+', '-')
        .replaceAll('/', '_')
        .replace(/=+$/, '')
      localStorage.setItem(key, JSON.stringify({ ...stored, token: `${head}.${claims}.${signature}` }))
    })
    await bea.page.reload()
    await bea.page.waitForURL(/\/login\?next=%2Froom%2F/)
    await bea.page.getByRole('alert').filter({ hasText: 'Your session has expired' }).waitFor()

    // A token whose signature the servers refuse (future expiry): the API answers 401.
    await ana.page.evaluate(() => {
      const key = 'hangout.session'
      const stored = JSON.parse(localStorage.getItem(key) ?? '{}')
      const [head, claims] = String(stored.token).split('.')
      localStorage.setItem(key, JSON.stringify({ ...stored, token: `${head}.${claims}.AAAA` }))
    })
    await ana.page.reload()
    await ana.page.waitForURL(/\/login/)
    await ana.page.getByRole('alert').filter({ hasText: 'Your session has expired' }).waitFor()
  })

  test('no page broke the Content-Security-Policy, and a violation would have been seen', async () => {
    for (const watch of watches) {
      expect(watch.cspViolations).toEqual([])
      expect(watch.errors).toEqual([])
    }
    // The watch is live: an inline style attribute is refused and reported.
    await ana.page.evaluate(() => document.body.setAttribute('style', 'color: red'))
    await ana.page.waitForTimeout(200)
    expect(ana.cspViolations.join('\n')).toMatch(/style-src/)
  })
})
