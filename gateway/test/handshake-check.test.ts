/**
 * The handshake check keeps tokens it verified (fast-jwt's cache): a kept token still stops
 * counting at its exp, and a token that differs from a kept one in any byte (another signature, a
 * forged payload) is verified on its own. Real Ed25519 keys.
 */
import { readFileSync } from 'node:fs'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, HANDSHAKE_UNAUTHORIZED } from '@hangout/protocol'
import { ensureDevKeyPair } from '@hangout/runtime'
import { foreignPrivateKey, signToken, sleep, user } from '@hangout/testkit/gateway-cluster'
import { createHandshakeCheck } from '../src/socket/auth.js'

const check = createHandshakeCheck({
  jwt: {
    publicKey: readFileSync(ensureDevKeyPair().publicKeyFile, 'utf8'),
    issuer: DEFAULT_TOKEN_ISSUER,
    audience: DEFAULT_TOKEN_AUDIENCE,
  },
  allowedOrigins: [],
})
const refused = { ok: false, reason: HANDSHAKE_UNAUTHORIZED }

test('a token verified once is accepted again, until its exp', async () => {
  const ann = user('Ann')
  const token = signToken(ann, { expiresInMs: 1500 })
  expect(check(undefined, { token })).toMatchObject({ ok: true, user: ann })
  expect(check(undefined, { token })).toMatchObject({ ok: true, user: ann })
  await sleep(1600)
  expect(check(undefined, { token })).toEqual(refused)
})

test('a token like a kept one but signed by another key, or with its payload changed, is refused', () => {
  const bob = user('Bob')
  const token = signToken(bob)
  expect(check(undefined, { token })).toMatchObject({ ok: true })
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const foreign = signToken(bob, { key: foreignPrivateKey() })
  expect(check(undefined, { token: foreign })).toEqual(refused)
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
  const forged = Buffer.from(JSON.stringify({ ...claims, name: 'Mallory' })).toString('base64url')
  expect(check(undefined, { token: `${header}.${forged}.${signature}` })).toEqual(refused)
  // The refusals were not kept either: the real token still passes, a wrong one still fails.
  expect(check(undefined, { token })).toMatchObject({ ok: true })
  expect(check(undefined, { token: foreign })).toEqual(refused)
})
