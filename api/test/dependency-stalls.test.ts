/**
 * A store that stops answering while connected: FerretDB frozen (SIGSTOP), Redis under CLIENT
 * PAUSE. The API answers 503 with the contract's error shape (code INTERNAL) and a Retry-After
 * within DEPENDENCY_TIMEOUT_MS, instead of hanging until the edge's 30 s read timeout turns it into
 * an error of the edge's own; a request that needs neither store keeps its answer; all works again after.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type ManagedProcess, waitFor } from '@hangout/testkit/process'
import { startFerretDb, startRedis } from '@hangout/testkit/services'
import { Redis } from 'ioredis'
import { type Answer, call, register, startTestApi, type TestApi } from './helpers.js'

const TIMEOUT_MS = 1000
/** Well past TIMEOUT_MS on a loaded machine, and a third of the edge's proxy_read_timeout. */
const ANSWER_WITHIN_MS = 10_000
const unavailable = { error: { code: 'INTERNAL', message: expect.any(String) } }

const dir = mkdtempSync(join(tmpdir(), 'hangout-stalls-'))
let ferret: ManagedProcess
let redis: ManagedProcess
let pauser: Redis
let api: TestApi
let token: string
let user: { email: string; password: string }
let roomId: string

beforeAll(async () => {
  const [mongoPort, redisPort] = [await freePort(), await freePort()]
  ferret = await startFerretDb(mongoPort, dir)
  redis = await startRedis(redisPort)
  pauser = new Redis(redisPort, '127.0.0.1')
  api = await startTestApi({
    MONGO_URL: `mongodb://127.0.0.1:${mongoPort}/stalls`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    DEPENDENCY_TIMEOUT_MS: String(TIMEOUT_MS),
  })
  const registered = await register(api.url)
  token = registered.token
  user = registered
  roomId = (await call(api.url, 'POST', '/rooms/room', { token, body: { name: 'kept' } })).body.room.id
}, 60_000)

afterAll(async () => {
  ferret?.signal('SIGCONT')
  await api?.close()
  pauser?.disconnect()
  await ferret?.stop()
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function timed(request: () => Promise<Answer>): Promise<Answer & { ms: number }> {
  const started = Date.now()
  const answer = await request()
  return { ...answer, ms: Date.now() - started }
}

function expectUnavailable(answer: Answer & { ms: number }) {
  expect(answer).toMatchObject({ status: 503, body: unavailable })
  expect(answer.headers.get('retry-after')).toBe('5')
  expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS)
}

test('MongoDB frozen: 503 within the timeout for what reads it; client errors stay 4xx; /healthz names it; back after', async () => {
  ferret.signal('SIGSTOP')
  try {
    expectUnavailable(await timed(() => call(api.url, 'POST', '/rooms/join', { token, body: { roomId } })))
    expectUnavailable(await timed(() => call(api.url, 'GET', '/auth/profile', { token })))
    // What the contract calls a client error needs no store, and is answered as before.
    const proto = `{"__proto__":"${'x'.repeat(16_000)}"}`
    expect((await call(api.url, 'POST', '/rooms/join', { token, raw: proto })).status).toBe(400)
    expect((await call(api.url, 'POST', '/rooms/join', { token, raw: `{"__proto__":"${'x'.repeat(17_000)}"}` })).status).toBe(413)
    expect((await call(api.url, 'POST', '/rooms/join', { body: { roomId } })).status).toBe(401)
    const health = await call(api.url, 'GET', '/healthz')
    expect(health).toMatchObject({ status: 503, body: { status: 'unavailable', down: ['mongodb'] } })
  } finally {
    ferret.signal('SIGCONT')
  }
  await waitFor(
    'MongoDB answers the API again',
    async () => (await call(api.url, 'POST', '/rooms/join', { token, body: { roomId } })).status === 200,
    20_000,
    200,
  )
  expect((await call(api.url, 'GET', '/auth/profile', { token })).body.user.email).toBe(user.email)
}, 60_000)

test('Redis paused: rate-limited and authenticated routes answer 503 within the timeout; routes without Redis are untouched; back after', async () => {
  await pauser.call('CLIENT', 'PAUSE', String(TIMEOUT_MS * 4), 'ALL')
  const login = await timed(() => call(api.url, 'POST', '/auth/login', { body: { email: user.email, password: user.password } }))
  expectUnavailable(login)
  // A token's revocation is in Redis: unable to check it, an authenticated route fails closed, in time.
  expectUnavailable(await timed(() => call(api.url, 'POST', '/rooms/join', { token, body: { roomId } })))
  // The API's documents read no store.
  expect((await call(api.url, 'GET', '/docs/json')).status).toBe(200)
  await waitFor(
    'login works again',
    async () =>
      (await call(api.url, 'POST', '/auth/login', { body: { email: user.email, password: user.password } })).status === 200,
    20_000,
    200,
  )
}, 60_000)
