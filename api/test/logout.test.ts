import { RedisKeys, type Revocation, parseRevocation, createStores } from '@hangout/store'
import { createRedisClient } from '@hangout/runtime'
import { deleteAccount } from '../src/accounts.js'
import { Revocations } from '../src/revocations.js'
import { call, register, startTestApi, type TestApi } from './helpers.js'

let api: TestApi
beforeAll(async () => {
  api = await startTestApi()
})
afterAll(() => api.close())

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())

/** Revocations the API publishes, as the gateways receive them. */
async function listen(): Promise<{ seen: Revocation[]; close(): void }> {
  const sub = createRedisClient(api.config.redis)
  const seen: Revocation[] = []
  await sub.subscribe(RedisKeys.revocations)
  sub.on('message', (_channel: string, message: string) => {
    const revocation = parseRevocation(message)
    if (revocation) seen.push(revocation)
  })
  return { seen, close: () => sub.disconnect() }
}

test('every token carries a jti of its own', async () => {
  const { token, email, password } = await register(api.url, 'Jay')
  const again = await call(api.url, 'POST', '/auth/login', { body: { email, password } })
  const [first, second] = [claimsOf(token).jti, claimsOf(again.body.token).jti]
  expect(first).toMatch(/^[0-9a-f-]{36}$/)
  expect(second).not.toBe(first)
})

test('POST /auth/logout: 204, then 401 on every route for that token only, revoked until its expiry, announced', async () => {
  const { token, email, password } = await register(api.url, 'Leaver')
  const other = (await call(api.url, 'POST', '/auth/login', { body: { email, password } })).body.token as string
  const channel = await listen()
  try {
    const out = await call(api.url, 'POST', '/auth/logout', { token })
    expect(out.status).toBe(204)
    expect(out.body).toBe('')
    for (const [method, path, body] of [
      ['GET', '/auth/profile'],
      ['GET', '/rooms'],
      ['POST', '/rooms/room', { name: 'after logout' }],
      ['POST', '/rooms/join', { roomId: 'abc' }],
      ['GET', '/rooms/abc/messages'],
      ['POST', '/auth/logout'],
    ] as const) {
      const answer = await call(api.url, method, path, { token, body })
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, 401, 'UNAUTHORIZED'])
    }
    // The user's other session is not touched.
    expect((await call(api.url, 'GET', '/auth/profile', { token: other })).status).toBe(200)
    const { sub, jti, exp } = claimsOf(token)
    const ttl = await api.clients.redis.pttl(RedisKeys.revokedToken(sub, jti))
    expect(ttl).toBeGreaterThan(exp * 1000 - Date.now() - 5000)
    expect(ttl).toBeLessThanOrEqual(exp * 1000 - Date.now() + 1000)
    await waitUntil(() => channel.seen.length > 0)
    expect(channel.seen).toEqual([{ userId: sub, jti }])
  } finally {
    channel.close()
  }
})

test('logout needs a valid token: none or a forged one is 401 and revokes nothing', async () => {
  expect((await call(api.url, 'POST', '/auth/logout')).status).toBe(401)
  const { token } = await register(api.url, 'Stays')
  const [head, body] = token.split('.')
  expect((await call(api.url, 'POST', '/auth/logout', { token: `${head}.${body}.AAAA` })).status).toBe(401)
  expect((await call(api.url, 'GET', '/auth/profile', { token })).status).toBe(200)
})

test('a deleted account: every token refused, by the cutoff (Redis) and by the missing user (MongoDB)', async () => {
  const { token, user } = await register(api.url, 'Gone')
  const stores = createStores(api.clients.db)
  const channel = await listen()
  try {
    expect(await deleteAccount(stores, new Revocations(api.clients.redis, api.config.jwt.ttlSeconds * 1000), user.id)).toBe(true)
    for (const path of ['/auth/profile', '/rooms']) expect((await call(api.url, 'GET', path, { token })).status).toBe(401)
    const cutoff = Number(await api.clients.redis.get(RedisKeys.userCutoff(user.id)))
    expect(cutoff).toBeGreaterThanOrEqual(claimsOf(token).iat * 1000)
    await waitUntil(() => channel.seen.length > 0)
    expect(channel.seen).toEqual([{ userId: user.id, before: cutoff }])
  } finally {
    channel.close()
  }
})

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
