import { ConfigError, ensureDevKeyPair } from '@hangout/runtime'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@hangout/protocol'
import { loadConfig } from '../src/config.js'

const { publicKeyFile } = ensureDevKeyPair()

test('defaults serve the local cluster', () => {
  const config = loadConfig({ JWT_PUBLIC_KEY_FILE: publicKeyFile, PORT: '3102' })
  expect(config).toMatchObject({
    port: 3102,
    host: '127.0.0.1',
    nodeId: 'node-3102',
    upstream: '127.0.0.1:3102',
    allowedOrigins: ['http://127.0.0.1:8080', 'http://localhost:8080'],
    graceMs: 3000,
    heartbeatMs: 1000,
    nodeTtlMs: 4000,
    adapter: 'sharded',
    limits: { message: { perSecond: 5, burst: 10 }, scroll_update: { perSecond: 30, burst: 30 } },
    scrollIntervalMs: 50,
    slowClientBytes: 1048576,
    jwt: { issuer: DEFAULT_TOKEN_ISSUER, audience: DEFAULT_TOKEN_AUDIENCE },
  })
  expect(config.jwt.publicKey).toContain('BEGIN PUBLIC KEY')
})

test.each([
  ['GRACE_MS', '6000'],
  ['PORT', 'eighty'],
  ['ADAPTER', 'fancy'],
  ['NODE_ID', 'spaces are not ok'],
  ['CHAT_RATE', '0'],
  ['CHAT_BURST', '0'],
  ['CHAT_BURST', '2.5'],
  ['GRACE_MS', '1000.5'],
  ['SLOW_CLIENT_BYTES', '100'],
  ['SCROLL_INTERVAL_MS', '-1'],
])('a bad %s is named', (variable, value) => {
  expect(() => loadConfig({ JWT_PUBLIC_KEY_FILE: publicKeyFile, [variable]: value })).toThrow(new RegExp(`^config: ${variable} `))
})

test('no public key: one clear line, never a generated key', () => {
  expect(() => loadConfig({ JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' })).toThrow(ConfigError)
  expect(() => loadConfig({ JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' })).toThrow(/JWT_PUBLIC_KEY/)
})
