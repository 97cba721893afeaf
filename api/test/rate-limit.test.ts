import { randomBytes } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { call, register, startTestApi, type TestApi, testMongoUrl, uniqueEmail } from './helpers.js'

const MAX = 3
const registerBody = () => ({ name: 'Limit', email: uniqueEmail('rl'), password: 'limit-password' })
const spoofed = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`

/** Several apps, as replicas, sharing one Redis namespace. */
async function replicas(count: number, env: Record<string, string> = {}, host?: string): Promise<TestApi[]> {
  const namespace = `hg:test:rl:${randomBytes(6).toString('hex')}:`
  const shared = { RATE_LIMIT_MAX: String(MAX), RATE_LIMIT_NAMESPACE: namespace, ...env }
  return Promise.all(Array.from({ length: count }, () => startTestApi(shared, host)))
}

test('register past RATE_LIMIT_MAX from one IP: 429 RATE_LIMITED, counted across replicas', async () => {
  const [a, b] = await replicas(2)
  try {
    const statuses: number[] = []
    for (const api of [a, b, a, b, a])
      statuses.push((await call(api!.url, 'POST', '/auth/register', { body: registerBody() })).status)
    expect(statuses).toEqual([201, 201, 201, 429, 429])
    const limited = await call(b!.url, 'POST', '/auth/register', { body: registerBody() })
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } })
    expect(limited.headers.get('retry-after')).toBeTruthy()
  } finally {
    await Promise.all([a!.close(), b!.close()])
  }
})

test('behind the trusted proxy, a spoofed X-Forwarded-For does not escape: the proxy-appended client address counts', async () => {
  const [api] = await replicas(1)
  try {
    // nginx appends the address it saw: "<whatever the client sent>, <real client>"
    const statuses: number[] = []
    for (let i = 0; i < MAX + 2; i++) {
      const headers = { 'x-forwarded-for': `${spoofed()}, 203.0.113.7` }
      statuses.push(
        (await call(api!.url, 'POST', '/auth/login', { headers, body: { email: uniqueEmail(), password: 'whatever-pass' } }))
          .status,
      )
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429])
    // another real client behind the same proxy is not limited by the first one
    const other = await call(api!.url, 'POST', '/auth/login', {
      headers: { 'x-forwarded-for': '203.0.113.8' },
      body: { email: uniqueEmail(), password: 'whatever-pass' },
    })
    expect(other.status).toBe(401)
  } finally {
    await api!.close()
  }
})

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address

;(externalAddress ? test : test.skip)(
  'a client that is not a trusted proxy cannot choose its address with X-Forwarded-For',
  async () => {
    const [api] = await replicas(1, {}, '0.0.0.0')
    try {
      const url = api!.url.replace('127.0.0.1', externalAddress!)
      const statuses: number[] = []
      for (let i = 0; i < MAX + 2; i++) {
        const headers = { 'x-forwarded-for': spoofed() }
        statuses.push((await call(url, 'POST', '/auth/register', { headers, body: registerBody() })).status)
      }
      expect(statuses).toEqual([201, 201, 201, 429, 429])
    } finally {
      await api!.close()
    }
  },
)

const login = (api: TestApi, address: string, email: string, password: string) =>
  call(api.url, 'POST', '/auth/login', { headers: { 'x-forwarded-for': address }, body: { email, password } })

test('wrong guesses for one email from many addresses lock nobody out: the owner signs in', async () => {
  const [api] = await replicas(1, { RATE_LIMIT_MAX: '100', LOGIN_FAILURES_PER_ACCOUNT: '2' })
  try {
    const { email, password } = await register(api!.url, 'Target')
    const statuses: number[] = []
    for (let i = 0; i < 12; i++)
      statuses.push((await login(api!, `198.51.100.${(i % 6) + 1}`, email.toUpperCase(), `guess-number-${i}`)).status)
    expect(statuses).toEqual(Array(12).fill(401))
    expect((await login(api!, '203.0.113.50', email, password)).status).toBe(200)
  } finally {
    await api!.close()
  }
})

test('one address guessing one email waits after the free failures, doubling; the owner elsewhere is never refused', async () => {
  const backoff = 1500
  const [api] = await replicas(1, { RATE_LIMIT_MAX: '100', LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_BACKOFF_MS: String(backoff) })
  try {
    const { email, password } = await register(api!.url, 'Owner')
    const attacker = '198.51.100.77'
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await login(api!, attacker, email, `guess-number-${i}`)).status)
    // 3 free failures, a 4th that starts the wait, then refused without checking the password.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429])
    const refused = await login(api!, attacker, email, password)
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('RATE_LIMITED')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    // The owner, from their own address, during the attack:
    expect((await login(api!, '203.0.113.9', email, password)).status).toBe(200)
    // The wait ends: one more guess (401) doubles it.
    await new Promise((resolve) => setTimeout(resolve, backoff + 100))
    expect((await login(api!, attacker, email, 'guess-after-the-wait')).status).toBe(401)
    await new Promise((resolve) => setTimeout(resolve, backoff + 100))
    expect((await login(api!, attacker, email, password)).status).toBe(429)
    expect((await login(api!, '203.0.113.9', email, password)).status).toBe(200)
  } finally {
    await api!.close()
  }
})

test('failures from one address over many emails: the address waits, others do not', async () => {
  const [api] = await replicas(1, { RATE_LIMIT_MAX: '100', LOGIN_FAILURES_PER_ADDRESS: '4' })
  try {
    const { email, password } = await register(api!.url, 'Bystander')
    const statuses: number[] = []
    for (let i = 0; i < 7; i++)
      statuses.push((await login(api!, '198.51.100.200', uniqueEmail('spray'), 'wrong-password')).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429])
    expect((await login(api!, '198.51.100.201', email, password)).status).toBe(200)
  } finally {
    await api!.close()
  }
})

test('room creation is limited per user (RATE_LIMIT_MAX per window), across replicas; another user is not', async () => {
  const [a, b] = await replicas(2, { MONGO_URL: testMongoUrl() })
  try {
    const spammer = await register(a!.url, 'Spammer')
    const statuses: number[] = []
    for (const api of [a, b, a, b, a])
      statuses.push((await call(api!.url, 'POST', '/rooms/room', { token: spammer.token, body: { name: 'spam' } })).status)
    expect(statuses).toEqual([201, 201, 201, 429, 429])
    const limited = await call(b!.url, 'POST', '/rooms/room', { token: spammer.token, body: { name: 'spam' } })
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } })
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const other = await register(b!.url, 'Other')
    expect((await call(a!.url, 'POST', '/rooms/room', { token: other.token, body: { name: 'mine' } })).status).toBe(201)
    expect(await a!.clients.db.collection('rooms').countDocuments({ ownerId: spammer.user.id })).toBe(MAX)
  } finally {
    await Promise.all([a!.close(), b!.close()])
  }
})
