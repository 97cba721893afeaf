import { generateKeyPairSync } from 'node:crypto'
import { call, craftToken, ed25519Signer, hs256Signer, register, startTestApi, type TestApi } from './helpers.js'

let api: TestApi
let valid: { token: string; user: { id: string; name: string } }
beforeAll(async () => {
  api = await startTestApi()
  valid = await register(api.url, 'Tokyo')
})
afterAll(() => api.close())

const now = () => Math.floor(Date.now() / 1000)
const EDDSA = { alg: 'EdDSA', typ: 'JWT' }
const claims = (extra: object = {}) => ({
  sub: valid.user.id,
  name: valid.user.name,
  iss: 'hangout-api',
  aud: 'hangout',
  iat: now(),
  exp: now() + 600,
  jti: `crafted-${Math.random().toString(36).slice(2)}`,
  ...extra,
})

async function expectRefused(token: string) {
  for (const [method, path] of [
    ['GET', '/auth/profile'],
    ['GET', '/rooms'],
  ] as const) {
    const answer = await call(api.url, method, path, { token })
    expect(answer.status).toBe(401)
    expect(answer.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } })
  }
}

test('a token crafted by hand with the real key and right claims is accepted (the checks below can pass)', async () => {
  const token = craftToken(EDDSA, claims(), ed25519Signer(api.config.jwt.privateKey))
  expect((await call(api.url, 'GET', '/auth/profile', { token })).status).toBe(200)
})

test.each(['jti', 'iat', 'iss', 'aud'])('a token without %s is refused, though signed with the real key', async (claim) => {
  const { [claim as 'jti']: _left, ...rest } = claims()
  await expectRefused(craftToken(EDDSA, rest, ed25519Signer(api.config.jwt.privateKey)))
})

test('a tampered token (claims changed after signing) is refused', async () => {
  const [header, , signature] = valid.token.split('.')
  const forged = Buffer.from(JSON.stringify(claims({ name: 'Mallory' }))).toString('base64url')
  await expectRefused(`${header}.${forged}.${signature}`)
  // and one flipped character in the signature
  const last = valid.token.at(-2) === 'A' ? 'B' : 'A'
  await expectRefused(`${valid.token.slice(0, -2)}${last}${valid.token.at(-1)}`)
})

test('an expired token is refused', async () => {
  await expectRefused(craftToken(EDDSA, claims({ iat: now() - 7200, exp: now() - 60 }), ed25519Signer(api.config.jwt.privateKey)))
})

test('a token signed with another Ed25519 key is refused', async () => {
  const other = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  await expectRefused(craftToken(EDDSA, claims(), ed25519Signer(other.privateKey)))
})

test('alg: none is refused', async () => {
  await expectRefused(craftToken({ alg: 'none', typ: 'JWT' }, claims(), () => ''))
})

test('HS256 signed with the public key as the secret is refused', async () => {
  await expectRefused(craftToken({ alg: 'HS256', typ: 'JWT' }, claims(), hs256Signer(api.config.jwt.publicKey)))
})

test('a wrong issuer or audience is refused, and so is a token without exp', async () => {
  const signer = ed25519Signer(api.config.jwt.privateKey)
  await expectRefused(craftToken(EDDSA, claims({ iss: 'someone-else' }), signer))
  await expectRefused(craftToken(EDDSA, claims({ aud: 'another-app' }), signer))
  const { exp: _exp, ...withoutExp } = claims()
  await expectRefused(craftToken(EDDSA, withoutExp, signer))
})

test('malformed Authorization headers are refused', async () => {
  for (const authorization of ['Bearer', 'Bearer not.a.jwt', `Basic ${valid.token}`, valid.token]) {
    const answer = await call(api.url, 'GET', '/auth/profile', { headers: { authorization } })
    expect(answer.status).toBe(401)
    expect(answer.body.error.code).toBe('UNAUTHORIZED')
  }
})
