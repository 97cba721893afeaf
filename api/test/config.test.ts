import { generateKeyPairSync } from 'node:crypto'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@hangout/protocol'
import { loadConfig } from '../src/config.js'

const pem = (type: 'ed25519' | 'rsa') =>
  generateKeyPairSync(type as 'ed25519', {
    ...(type === 'rsa' ? { modulusLength: 2048 } : {}),
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })

test('defaults serve the local cluster; JWT_TTL becomes seconds; lists are split', () => {
  const keys = pem('ed25519')
  const config = loadConfig({
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    JWT_TTL: '90m',
    CORS_ORIGINS: 'https://a.example, https://b.example',
  })
  expect(config).toMatchObject({
    port: 3000,
    host: '127.0.0.1',
    jwt: { issuer: DEFAULT_TOKEN_ISSUER, audience: DEFAULT_TOKEN_AUDIENCE, ttlSeconds: 5400, privateKey: keys.privateKey },
    trustProxy: ['127.0.0.1', '::1'],
    corsOrigins: ['https://a.example', 'https://b.example'],
    bodyLimit: 16384,
  })
})

test.each([
  [{ PORT: 'eighty' }, /PORT/],
  [{ JWT_TTL: '12 hours' }, /JWT_TTL/],
  [{ MONGO_URL: 'http://x' }, /MONGO_URL/],
  [{ RATE_LIMIT_MAX: '0' }, /RATE_LIMIT_MAX/],
])('a bad variable %j is refused by name', (env, name) => {
  const keys = pem('ed25519')
  expect(() => loadConfig({ JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEY: keys.publicKey, ...env })).toThrow(name)
})

test('keys: one without the other, a non-Ed25519 key, or text that is no key are refused', () => {
  const ed = pem('ed25519')
  const rsa = pem('rsa')
  expect(() => loadConfig({ JWT_PUBLIC_KEY: ed.publicKey })).toThrow(/JWT_PRIVATE_KEY/)
  expect(() => loadConfig({ JWT_PRIVATE_KEY: ed.privateKey })).toThrow(/JWT_PUBLIC_KEY/)
  expect(() => loadConfig({ JWT_PRIVATE_KEY: rsa.privateKey, JWT_PUBLIC_KEY: ed.publicKey })).toThrow(
    /JWT_PRIVATE_KEY must be an Ed25519 key/,
  )
  expect(() => loadConfig({ JWT_PRIVATE_KEY: ed.privateKey, JWT_PUBLIC_KEY: 'not a key' })).toThrow(
    /JWT_PUBLIC_KEY is not a readable PEM key/,
  )
})
