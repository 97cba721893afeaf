/**
 * The MongoDB-wire server (a private FerretDB on a fixed port) stopped under use and started
 * again: register, login and chat answer clear errors quickly while it is down (no hang, no
 * silent loss), /healthz says so, and everything works again after, by itself.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from '@hangout/infra/paths'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { startFerretDb } from '@hangout/infra/services'
import { connect, createRoom, join as joinRoom, register, type TestUser } from '@hangout/testkit/clients'
import { type ClusterUnderTest, recordAll, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'

let t: ClusterUnderTest
let mongoPort: number
let ferret: ManagedProcess
const dir = join(DATA_DIR, `ferretdb-reliability-${process.pid}`)

beforeAll(async () => {
  mongoPort = await freePort()
  ferret = await startFerretDb(mongoPort, dir)
  t = await startClusterUnderTest({ gateways: 1, env: { MONGO_URL: `mongodb://127.0.0.1:${mongoPort}/hangout_reliability` } })
}, 90_000)

afterAll(async () => {
  await t?.stop()
  await ferret?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function post(path: string, body: unknown, token?: string): Promise<{ status: number; body: unknown; ms: number }> {
  const started = Date.now()
  const res = await fetch(`${t.cluster.url}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  return { status: res.status, body: await res.json(), ms: Date.now() - started }
}

test('MongoDB-wire server stopped and restarted: clear errors while down, everything works after', async () => {
  const ann: TestUser = await register(t.cluster.url)
  const roomId = await createRoom(t.cluster.url, ann)
  const socket = t.track(connect(t.cluster.url, roomId, ann))
  await joinRoom(socket, roomId)
  const other = t.track(connect(t.cluster.url, roomId, await register(t.cluster.url)))
  await joinRoom(other, roomId)
  const seen = recordAll(other)
  const before = await socket.emitWithAck('message', { roomId, text: 'before' })
  expect(before.ok).toBe(true)
  const password = 'correct horse battery'
  const email = `mongo-${Date.now()}@example.com`
  expect((await post('/auth/register', { name: 'Mo', email, password })).status).toBe(201)

  await ferret.stop()
  const downAt = Date.now()
  const internal = { error: { code: 'INTERNAL', message: expect.any(String) } }
  const reg = await post('/auth/register', { name: 'Down', email: `down-${Date.now()}@example.com`, password })
  // A dependency down: 503 (the contract's error shape; its code stays INTERNAL).
  expect(reg).toMatchObject({ status: 503, body: internal })
  const login = await post('/auth/login', { email, password })
  expect(login).toMatchObject({ status: 503, body: internal })
  const startedChat = Date.now()
  const chat = await socket.timeout(15_000).emitWithAck('message', { roomId, text: 'while down' })
  const chatMs = Date.now() - startedChat
  expect(chat).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } })
  for (const ms of [reg.ms, login.ms, chatMs]) expect(ms).toBeLessThan(10_000)
  expect(await socket.emitWithAck('scroll_update', { roomId, top: 0.5 })).toEqual({ ok: true })
  await timeUntil('API /healthz 503', async () => (await fetch(`${t.cluster.apiUrl}/healthz`)).status === 503, 10_000)
  const delivered = seen.filter((e) => e.event === 'message').map((e) => (e.args[0] as { text: string }).text)
  expect(delivered).not.toContain('while down')

  ferret = await startFerretDb(mongoPort, dir)
  const upAt = Date.now()
  const recovered = await timeUntil(
    'register works again',
    async () =>
      (await post('/auth/register', { name: 'Back', email: `back-${Date.now()}@example.com`, password })).status === 201,
    30_000,
  )
  expect((await post('/auth/login', { email, password })).status).toBe(200)
  const chatRecovered = await timeUntil(
    'chat works again',
    async () => (await socket.timeout(5000).emitWithAck('message', { roomId, text: 'after' })).ok,
    30_000,
  )
  expect((await fetch(`${t.cluster.apiUrl}/healthz`)).status).toBe(200)
  const history = await fetch(`${t.cluster.url}/api/rooms/${roomId}/messages`, {
    headers: { authorization: `Bearer ${ann.token}` },
  })
  const texts = ((await history.json()) as { messages: { text: string }[] }).messages.map((m) => m.text)
  expect(texts[0]).toBe('before')
  expect(texts).not.toContain('while down')
  expect(texts.at(-1)).toBe('after')
  report('MongoDB-wire server stopped, restarted', {
    'register answer while down (ms)': reg.ms,
    'login answer while down (ms)': login.ms,
    'chat ack while down (ms)': chatMs,
    'down for (ms)': upAt - downAt,
    'register works after restart (ms)': recovered,
    'chat works after restart (ms)': recovered + chatRecovered,
  })
})
