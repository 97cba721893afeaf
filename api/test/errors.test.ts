import { Collections } from '@hangout/store'
import { closeClients } from '../src/clients.js'
import { call, register, startTestApi, type TestApi } from './helpers.js'

let api: TestApi
beforeAll(async () => {
  api = await startTestApi()
})
afterAll(() => api.close())

const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } })

test('malformed JSON is 400 VALIDATION_FAILED, and stores nothing', async () => {
  const before = await api.clients.db.collection(Collections.users).countDocuments()
  for (const raw of ['{"name": "Ann",', '', 'null', '[1,2]', '"text"']) {
    const answer = await call(api.url, 'POST', '/auth/register', { raw })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual(errorShape('VALIDATION_FAILED'))
  }
  expect(await api.clients.db.collection(Collections.users).countDocuments()).toBe(before)
})

test('a body that is not JSON is 400 VALIDATION_FAILED', async () => {
  const answer = await call(api.url, 'POST', '/auth/login', {
    raw: 'email=a@b.co',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  expect(answer.status).toBe(400)
  expect(answer.body).toEqual(errorShape('VALIDATION_FAILED'))
})

test('a body over BODY_LIMIT is 413 PAYLOAD_TOO_LARGE', async () => {
  const answer = await call(api.url, 'POST', '/auth/register', {
    body: { name: 'Ann', email: 'big@example.com', password: 'x'.repeat(api.config.bodyLimit) },
  })
  expect(answer.status).toBe(413)
  expect(answer.body).toEqual(errorShape('PAYLOAD_TOO_LARGE'))
})

test('an unknown route is 404 with the contract shape, naming the method and path', async () => {
  const answer = await call(api.url, 'DELETE', '/rooms/room?x=1')
  expect(answer.status).toBe(404)
  expect(answer.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'no route DELETE /rooms/room' } })
})

test('security headers are set; CORS is closed by default', async () => {
  const res = await fetch(`${api.url}/rooms`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
  })
  expect(res.headers.get('access-control-allow-origin')).toBeNull()
  const health = await fetch(`${api.url}/healthz`)
  expect(health.headers.get('x-content-type-options')).toBe('nosniff')
  expect(health.headers.get('content-security-policy')).toBeTruthy()
})

test('CORS_ORIGINS opens CORS to exactly those origins', async () => {
  const open = await startTestApi({ CORS_ORIGINS: 'https://app.example' })
  try {
    const preflight = (origin: string) =>
      fetch(`${open.url}/rooms`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } })
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull()
  } finally {
    await open.close()
  }
})

test('/healthz is 200 ok; /metrics is Prometheus text counting requests', async () => {
  expect(await call(api.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } })
  const res = await fetch(`${api.url}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  const text = await res.text()
  expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/)
  expect(text).toContain('process_cpu_user_seconds_total')
})

describe('when the dependencies fail', () => {
  let broken: TestApi
  let token: string
  beforeAll(async () => {
    broken = await startTestApi()
    token = (await register(broken.url)).token
  })
  afterAll(() => broken.close())

  test('Redis gone: /healthz 503 naming redis; then both gone: 503 INTERNAL without driver text, and /healthz names mongodb', async () => {
    broken.clients.redis.disconnect()
    const redisDown = await call(broken.url, 'GET', '/healthz')
    expect(redisDown.status).toBe(503)
    expect(redisDown.body).toEqual({ status: 'unavailable', down: ['redis'] })

    await closeClients(broken.clients)
    // The route's first step is the token's revocation check in Redis, which is gone: a dependency
    // down is 503 (issue 20), with no driver text.
    const answer = await call(broken.url, 'POST', '/rooms/room', { token, body: { name: 'doomed' } })
    expect(answer.status).toBe(503)
    expect(answer.body).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } })
    expect(JSON.stringify(answer.body)).not.toMatch(/mongo|topology|stack|at /i)
    const bothDown = await call(broken.url, 'GET', '/healthz')
    expect(bothDown.status).toBe(503)
    expect(bothDown.body).toEqual({ status: 'unavailable', down: ['mongodb', 'redis'] })
  })
})

test('the logger redacts authorization headers, passwords and tokens wherever they are logged', async () => {
  const { buildApp } = await import('../src/app.js')
  const { loggerOptions } = await import('@hangout/runtime')
  const { connectClients } = await import('../src/clients.js')
  const lines: string[] = []
  const stream = { write: (line: string) => lines.push(line) }
  const clients = await connectClients(api.config)
  const app = await buildApp(api.config, clients, { ...loggerOptions('info', 'api'), stream })
  try {
    app.log.info(
      { req: { headers: { authorization: 'Bearer secret-token-1' } }, password: 'secret-pass-2', token: 'secret-token-3' },
      'x',
    )
    app.log.info(
      { body: { password: 'secret-pass-4', token: 'secret-token-5' }, user: { passwordHash: '$argon2id$secret-6' } },
      'y',
    )
    const text = lines.join('')
    expect(text).toContain('[redacted]')
    expect(text).not.toMatch(/secret-/)
  } finally {
    await app.close()
    await closeClients(clients)
  }
})
