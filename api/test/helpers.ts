import { createHmac, randomBytes, sign } from 'node:crypto'
import { closeClients, connectClients, type ApiClients } from '../src/clients.js'
import { type ApiConfig, loadConfig } from '../src/config.js'
import { type ApiApp, buildApp } from '../src/app.js'

/** A MongoDB URL on the test server with a database of its own. */
export function testMongoUrl(dbName = `hangout_test_${randomBytes(6).toString('hex')}`): string {
  const url = new URL(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/hangout')
  url.pathname = `/${dbName}`
  return url.toString()
}

export interface TestApi {
  url: string
  app: ApiApp
  config: ApiConfig
  clients: ApiClients
  close(): Promise<void>
}

/**
 * The real app on a real port (0: the kernel picks), against the real Redis and a fresh database;
 * rate-limit keys under a prefix of its own. `close` drops the database and the Redis keys.
 */
export async function startTestApi(env: Record<string, string> = {}, host = '127.0.0.1'): Promise<TestApi> {
  const config = loadConfig({
    ...process.env,
    MONGO_URL: testMongoUrl(),
    RATE_LIMIT_NAMESPACE: `hg:test:rl:${randomBytes(6).toString('hex')}:`,
    RATE_LIMIT_MAX: '1000',
    LOG_LEVEL: 'silent',
    ...env,
  })
  const clients = await connectClients(config)
  const app = await buildApp(config, clients, false)
  await app.listen({ port: 0, host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    config,
    clients,
    async close() {
      await app.close()
      await closeClients(clients).catch(() => undefined)
      // Fresh connections: a test may have broken the app's own on purpose.
      const cleanup = await connectClients(config)
      const keys = await cleanup.redis.keys(`${config.rateLimit.namespace}*`)
      if (keys.length) await cleanup.redis.del(...keys)
      await cleanup.db.dropDatabase()
      await closeClients(cleanup)
    },
  }
}

export interface Answer<T = unknown> {
  status: number
  body: T
  headers: Headers
}

/** A JSON request; the body of the answer parsed when it is JSON. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json'
  if (options.token) headers.authorization = `Bearer ${options.token}`
  const res = await fetch(base + path, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  })
  const text = await res.text()
  const isJson = res.headers.get('content-type')?.includes('application/json')
  return { status: res.status, body: (isJson && text ? JSON.parse(text) : text) as T, headers: res.headers }
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}.${randomBytes(6).toString('hex')}@example.com`
}

/** Registers a user and answers its token and user. */
export async function register(base: string, name = 'Ann', email = uniqueEmail(), password = 'correct horse battery') {
  const answer = await call(base, 'POST', '/auth/register', { body: { name, email, password } })
  if (answer.status !== 201) throw new Error(`register failed: ${answer.status} ${JSON.stringify(answer.body)}`)
  return { token: answer.body.token as string, user: answer.body.user, email, password }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A JWT built by hand: header and claims as given, signed by `signer` over `header.payload`. */
export function craftToken(header: object, claims: object, signer: (data: string) => string): string {
  const data = `${b64(header)}.${b64(claims)}`
  return `${data}.${signer(data)}`
}

export const ed25519Signer = (privateKeyPem: string) => (data: string) =>
  sign(null, Buffer.from(data), privateKeyPem).toString('base64url')
export const hs256Signer = (secret: string) => (data: string) => createHmac('sha256', secret).update(data).digest('base64url')
