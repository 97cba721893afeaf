import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApi } from '@hangout/testkit/launch'
import { freePort, type ManagedProcess, waitFor } from '@hangout/testkit/process'
import { startFerretDb } from '@hangout/testkit/services'
import { call, uniqueEmail } from './helpers.js'

/** The real server process (server.ts through startApi) on its own FerretDB, which this suite kills. */
let dir: string
let ferret: ManagedProcess
let api: ManagedProcess
let url: string
let logFile: string
const namespace = `hg:test:rl:${randomBytes(6).toString('hex')}:`

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hangout-api-'))
  ferret = await startFerretDb(await freePort(), join(dir, 'ferretdb'))
  const ferretPort = ferret.options.args[ferret.options.args.indexOf('--listen-addr') + 1]?.split(':')[1]
  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  logFile = join(dir, 'api.log')
  api = await startApi({
    port,
    logFile,
    env: { MONGO_URL: `mongodb://127.0.0.1:${ferretPort}/hangout`, LOG_LEVEL: 'debug', RATE_LIMIT_NAMESPACE: namespace },
  })
}, 60000)

afterAll(async () => {
  await api?.stop()
  await ferret?.kill()
  await rm(dir, { recursive: true, force: true })
})

test('register, login, profile, rooms work; the logs never hold a password or a token', async () => {
  const email = uniqueEmail('proc')
  const password = `pw-${randomBytes(8).toString('hex')}`
  const reg = await call(url, 'POST', '/auth/register', { body: { name: 'Proc', email, password } })
  expect(reg.status).toBe(201)
  const login = await call(url, 'POST', '/auth/login', { body: { email, password } })
  expect(login.status).toBe(200)
  const wrong = await call(url, 'POST', '/auth/login', { body: { email, password: `${password}-wrong` } })
  expect(wrong.status).toBe(401)
  const profile = await call(url, 'GET', '/auth/profile', { token: login.body.token })
  expect(profile.body.user.email).toBe(email)
  const room = await call(url, 'POST', '/rooms/room', { token: reg.body.token, body: { name: 'Logged room' } })
  expect(room.status).toBe(201)
  const forged = await call(url, 'GET', '/auth/profile', { token: `${login.body.token}x` })
  expect(forged.status).toBe(401)

  await waitFor(
    'the log to hold the last request',
    async () => (await readFile(logFile, 'utf8')).includes('"statusCode":401'),
    5000,
  )
  const log = await readFile(logFile, 'utf8')
  expect(log).toContain('/auth/profile') // the requests are logged at all
  for (const secret of [password, reg.body.token, login.body.token, login.body.token.split('.')[2]]) {
    expect(log).not.toContain(secret)
  }
})

test('/healthz answers 503 naming mongodb when MongoDB dies, and the process stops cleanly on SIGTERM', async () => {
  expect((await call(url, 'GET', '/healthz')).body).toEqual({ status: 'ok' })
  await ferret.kill()
  let last: unknown
  await waitFor(
    '/healthz 503',
    async () => {
      const answer = await call(url, 'GET', '/healthz')
      last = answer.body
      return answer.status === 503
    },
    15000,
    200,
  )
  expect(last).toEqual({ status: 'unavailable', down: ['mongodb'] })
  api.signal('SIGTERM')
  expect(await api.exited).toBe(0)
})

test('a bad variable stops the server at start with one line naming it', async () => {
  // The process exits at once with the line; the deadline only covers a slow start on a loaded machine.
  await expect(startApi({ port: await freePort(), env: { BODY_LIMIT: 'lots' }, timeoutMs: 90000 })).rejects.toThrow(
    /config: BODY_LIMIT \("lots"\)/,
  )
}, 120000)
