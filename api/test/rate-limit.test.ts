import { randomBytes } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { call, register, startTestApi, type TestApi, uniqueEmail } from './helpers.js'

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

test('logins of one email are limited whatever the client address', async () => {
  const [api] = await replicas(1, { RATE_LIMIT_MAX: String(MAX) })
  try {
    const { email } = await register(api!.url, 'Target')
    const statuses: number[] = []
    for (let i = 0; i < MAX + 2; i++) {
      const headers = { 'x-forwarded-for': `198.51.100.${i + 1}` }
      statuses.push(
        (
          await call(api!.url, 'POST', '/auth/login', {
            headers,
            body: { email: email.toUpperCase(), password: `guess-number-${i}` },
          })
        ).status,
      )
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429])
  } finally {
    await api!.close()
  }
})
