/**
 * Stored XSS, in the real browser (Chromium through the real edge): a user whose name, room name
 * and chat text carry markup. A second user opens the room (history), then sees more arrive live,
 * then the home page's recent rooms. Every payload must show as text: no injected element, no
 * handler run, no dialog, no script error, no CSP violation.
 */
import type { Browser, Dialog } from 'playwright-core'
import { type Client, connect, join, say, type TestUser } from '@hangout/testkit/clients'
import { buildWeb, launchChromium, openUserPage, type PageWatch } from '@hangout/testkit/browser'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'

// Each payload bumps window.__xss if it ever runs. (This file has no DOM types: the page's globals are typed here.)
type PageGlobals = { __xss: number; document: { querySelectorAll(selector: string): { length: number } } }
const NAME = '<img src=x onerror=__xss++>'
const ROOM_NAME = '<script>__xss++</script><svg onload=__xss++>'
const TEXTS = [
  '<img src=x onerror="alert(document.domain)">',
  '<script>__xss++</script>',
  '"><iframe src="javascript:__xss++"></iframe>',
  '<a href="javascript:__xss++">click</a>',
  '{{constructor.constructor("__xss++")()}}',
]
const LIVE = '<details open ontoggle=__xss++>live</details>'

let t: ClusterUnderTest
let web: Awaited<ReturnType<typeof buildWeb>>
let browser: Browser
let viewer: PageWatch
let mallory: TestUser
let socket: Client
let roomId = ''
const dialogs: string[] = []

async function post<T>(path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${t.cluster.url}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

beforeAll(async () => {
  web = await buildWeb()
  t = await startClusterUnderTest({ gateways: 1, webRoot: web.dir })
  const registered = await post<{ token: string; user: { id: string; name: string } }>('/auth/register', {
    name: NAME,
    email: `mallory-${Date.now()}@example.com`,
    password: 'correct horse battery',
  })
  mallory = { id: registered.user.id, name: registered.user.name, token: registered.token }
  roomId = (await post<{ room: { id: string } }>('/rooms/room', { name: ROOM_NAME }, mallory.token)).room.id
  socket = t.track(connect(t.cluster.url, roomId, mallory))
  await join(socket, roomId)
  for (const text of TEXTS) await say(socket, roomId, text)
  browser = await launchChromium()
  viewer = await openUserPage(browser)
  viewer.page.on('dialog', (dialog: Dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await viewer.context.addInitScript(() => {
    ;(globalThis as unknown as { __xss: number }).__xss = 0
  })
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await t?.stop()
  web?.remove()
})

/** What must be true of the page whatever it shows: nothing ran, nothing was injected. */
async function nothingRan(): Promise<void> {
  const { page } = viewer
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBe(0)
  const injected = await page.evaluate(
    () =>
      (globalThis as unknown as PageGlobals).document.querySelectorAll(
        'img[src="x"], iframe, details, a[href^="javascript:"], body script:not([src]), [onerror], [onload], [ontoggle]',
      ).length,
  )
  expect(injected).toBe(0)
  expect(dialogs).toEqual([])
  expect(viewer.errors).toEqual([])
  expect(viewer.cspViolations).toEqual([])
}

test('markup in a name, a room name and chat history shows as text in the room', async () => {
  const { page } = viewer
  await page.goto(`${t.cluster.url}/room/${roomId}`)
  await page.waitForURL(/\/login\?next=/)
  await page.getByRole('link', { name: 'Create an account instead' }).click()
  await page.getByLabel('Name').fill('Viewer')
  await page.getByLabel('Email').fill(`viewer-${Date.now()}@example.com`)
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.locator('.connection[data-state="connected"]').waitFor({ timeout: 20_000 })
  const log = page.getByRole('log', { name: 'Chat' })
  for (const text of TEXTS) await log.getByText(text, { exact: true }).waitFor({ timeout: 10_000 })
  await page.getByRole('list', { name: 'Participants' }).getByText(NAME, { exact: true }).waitFor()
  await page.getByText(ROOM_NAME, { exact: true }).first().waitFor()
  await nothingRan()
}, 60_000)

test('markup arriving live shows as text', async () => {
  await say(socket, roomId, LIVE)
  await viewer.page.getByRole('log', { name: 'Chat' }).getByText(LIVE, { exact: true }).waitFor({ timeout: 10_000 })
  await nothingRan()
}, 30_000)

// The viewer opened the room's link above, so it is one of their rooms now.
test('the room name with markup shows as text in “Your rooms” on the home page', async () => {
  const { page } = viewer
  await page.goto(t.cluster.url)
  await page.getByRole('list', { name: 'Your rooms' }).getByText(ROOM_NAME, { exact: true }).waitFor({ timeout: 10_000 })
  await nothingRan()
}, 30_000)
