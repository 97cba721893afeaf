/**
 * Who gets in, and as whom, through the real edge: hostile tokens at the socket handshake, a
 * deleted user's token, a foreign Origin, acting in a room not joined or as another user, and
 * brute-force logins with a spoofed X-Forwarded-For from an address the edge does not trust.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ensureDevKeyPair } from '@hangout/runtime'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@hangout/protocol'
import { Collections } from '@hangout/store'
import { ROOT, TSX_IMPORT } from '@hangout/infra/paths'
import { ManagedProcess } from '@hangout/infra/process'
import { createSigner } from 'fast-jwt'
import { io } from 'socket.io-client'
import { signToken } from '@hangout/testkit/gateway-cluster'
import { type Client, connect, createRoom, join, register, type TestUser } from '@hangout/testkit/clients'
import { loginThroughEdge } from '../support/edge-login.js'
import { type ClusterUnderTest, recordAll, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report } from '../support/report.js'

const RATE_LIMIT_MAX = 10
let t: ClusterUnderTest
let ann: TestUser
let bob: TestUser

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 1, env: { RATE_LIMIT_MAX: String(RATE_LIMIT_MAX) } })
  ann = await register(t.cluster.url)
  bob = await register(t.cluster.url)
}, 60_000)

afterAll(() => t?.stop())

/** Opens a socket through the edge; answers 'connected' or the connect_error message. */
function handshake(token: unknown, options: { origin?: string; transport?: 'websocket' | 'polling' } = {}): Promise<string> {
  const socket = io(t.cluster.url, {
    path: '/socket.io',
    query: { room: 'auth-probe' },
    auth: { token },
    transports: [options.transport ?? 'websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: options.origin ? { origin: options.origin } : {},
  })
  return new Promise((resolve) => {
    const timer = setTimeout(() => done('no answer within 5 s'), 5000)
    const done = (verdict: string) => {
      clearTimeout(timer)
      socket.disconnect()
      resolve(verdict)
    }
    socket.once('connect', () => done('connected'))
    socket.once('connect_error', (err) => done(err.message))
  })
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const nowS = () => Math.floor(Date.now() / 1000)
const claims = (user: TestUser) => ({
  sub: user.id,
  name: user.name,
  iss: DEFAULT_TOKEN_ISSUER,
  aud: DEFAULT_TOKEN_AUDIENCE,
  iat: nowS(),
  exp: nowS() + 3600,
})

describe('hostile tokens are refused at the handshake', () => {
  const publicKey = () => readFileSync(ensureDevKeyPair().publicKeyFile, 'utf8')
  const privateKey = () => readFileSync(ensureDevKeyPair().privateKeyFile, 'utf8')
  const cases: [string, () => unknown][] = [
    ['expired', () => signToken(ann, { issuedAtMs: Date.now() - 7_200_000, expiresInMs: 3_600_000 })],
    [
      'not yet valid (nbf in an hour)',
      () =>
        createSigner({
          key: privateKey(),
          algorithm: 'EdDSA',
          iss: DEFAULT_TOKEN_ISSUER,
          aud: DEFAULT_TOKEN_AUDIENCE,
          expiresIn: 7_200_000,
          notBefore: 3_600_000,
        })({ sub: ann.id, name: ann.name }),
    ],
    ['wrong audience', () => signToken(ann, { audience: 'someone-else' })],
    ['wrong issuer', () => signToken(ann, { issuer: 'https://evil.example' })],
    [
      'HS256 signed with the public key as the secret',
      () => {
        const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims(ann))}`
        return `${head}.${createHmac('sha256', publicKey()).update(head).digest('base64url')}`
      },
    ],
    ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(ann))}.`],
    ['alg: none, signature kept', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(ann))}.${ann.token.split('.')[2]}`],
    [
      'claims swapped under a real signature',
      () => {
        const [head, , signature] = ann.token.split('.')
        return `${head}.${b64({ ...claims(ann), sub: bob.id, name: bob.name })}.${signature}`
      },
    ],
    [
      'no exp',
      () =>
        createSigner({ key: privateKey(), algorithm: 'EdDSA', iss: DEFAULT_TOKEN_ISSUER, aud: DEFAULT_TOKEN_AUDIENCE })({
          sub: ann.id,
          name: ann.name,
        }),
    ],
    ['random bytes', () => randomBytes(64).toString('base64url')],
    ['not a string', () => ({ $ne: null })],
    ['empty', () => ''],
  ]

  test('control: the API’s own token gets in', async () => {
    expect(await handshake(ann.token)).toBe('connected')
  })

  test.each(cases)('%s: connect_error UNAUTHORIZED', async (_name, token) => {
    expect(await handshake(token())).toBe('UNAUTHORIZED')
  })

  test('the same refusal over long-polling', async () => {
    expect(await handshake(signToken(ann, { audience: 'someone-else' }), { transport: 'polling' })).toBe('UNAUTHORIZED')
  })
})

describe('origins and identities', () => {
  test('a foreign Origin is refused, over websocket and polling; the edge’s own origin gets in', async () => {
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await handshake(ann.token, { origin: 'https://evil.example', transport })).toBe('FORBIDDEN_ORIGIN')
      expect(await handshake(ann.token, { origin: 'null', transport })).toBe('FORBIDDEN_ORIGIN')
      expect(await handshake(ann.token, { origin: t.cluster.url, transport })).toBe('connected')
    }
  })

  // D2 (fixed): a deleted account's tokens are refused; the gateway asks Redis (the account's cutoff), not MongoDB.
  test('deleting an account (the operator script) refuses its token everywhere and cuts off its open socket', async () => {
    const gone = await register(t.cluster.url)
    const open = t.track(connect(t.cluster.url, 'auth-probe', gone))
    await new Promise((resolve) => open.once('connect', () => resolve(undefined)))
    open.io.opts.reconnection = false
    const cut = new Promise((resolve) => open.once('disconnect', resolve))
    const script = new ManagedProcess({
      name: 'delete-user',
      command: process.execPath,
      args: [...TSX_IMPORT, 'api/src/delete-user.ts', gone.email ?? ''],
      cwd: ROOT,
      env: { ...t.cluster.env, LOG_LEVEL: 'silent' },
    })
    expect(await script.exited).toBe(0)
    expect(await cut).toBe('io server disconnect')
    expect(await t.db.collection(Collections.users).countDocuments({ _id: gone.id as never })).toBe(0)
    const profile = await fetch(`${t.cluster.url}/api/auth/profile`, { headers: { authorization: `Bearer ${gone.token}` } })
    expect(profile.status).toBe(401)
    expect(await handshake(gone.token)).toBe('UNAUTHORIZED')
  })

  test('nobody acts in a room they have not joined, and a forged user field changes nobody’s identity', async () => {
    const [roomA, roomB] = [await createRoom(t.cluster.url, ann), await createRoom(t.cluster.url, bob)]
    const bobInB: Client = t.track(connect(t.cluster.url, roomB, bob))
    await join(bobInB, roomB)
    const seenInB = recordAll(bobInB)
    const annInA: Client = t.track(connect(t.cluster.url, roomA, ann))
    await join(annInA, roomA)
    const notIn = { ok: false, error: { code: 'NOT_IN_ROOM', message: expect.any(String) } }
    expect(await annInA.emitWithAck('message', { roomId: roomB, text: 'sneaky' })).toEqual(notIn)
    expect(await annInA.emitWithAck('click_event', { roomId: roomB, productId: 1 })).toEqual(notIn)
    expect(await annInA.emitWithAck('scroll_update', { roomId: roomB, top: 1 })).toEqual(notIn)
    expect(await annInA.emitWithAck('page_change', { roomId: roomB, page: 3 })).toEqual(notIn)
    expect(await annInA.emitWithAck('leave_room', { roomId: roomB })).toEqual(notIn)

    const forged = { roomId: roomA, text: 'I am Bob', user: { id: bob.id, name: bob.name } }
    const untyped = annInA as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }
    expect(await untyped.emitWithAck('message', forged)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(await untyped.emitWithAck('click_event', { roomId: roomA, productId: 2, userId: bob.id })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    const sent = await annInA.emitWithAck('message', { roomId: roomA, text: 'me' })
    expect(sent).toMatchObject({ ok: true, message: { user: { id: ann.id, name: ann.name } } })

    const lateB = await join(t.track(connect(t.cluster.url, roomB, bob)), roomB)
    expect(lateB.history).toEqual([])
    expect(lateB.state).toEqual({ page: 1, top: 0, highlights: {} })
    expect(seenInB).toEqual([])
    expect(await t.db.collection(Collections.messages).countDocuments({ roomId: roomB })).toBe(0)
  })
})

/** A wrong-password login through the edge (test/support/edge-login.ts). */
function login(localAddress: string, email: string, spoof: string): Promise<number> {
  return loginThroughEdge(t.cluster.edgePort, localAddress, email, spoof)
}

describe('brute-force login through the edge', () => {
  // The API trusts only the edge (127.0.0.1); attackers come from 127.0.0.2 and up, untrusted.
  const spoofed = () => `${1 + (randomBytes(1)[0] ?? 0)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`

  test('a new spoofed X-Forwarded-For and a new email on every try: the limit per address holds', async () => {
    const statuses: number[] = []
    for (let i = 0; i < RATE_LIMIT_MAX + 10; i++)
      statuses.push(await login('127.0.0.2', `guess-${i}-${randomBytes(3).toString('hex')}@example.com`, spoofed()))
    expect(statuses.slice(0, RATE_LIMIT_MAX)).toEqual(Array(RATE_LIMIT_MAX).fill(401))
    expect(statuses.slice(RATE_LIMIT_MAX)).toEqual(Array(10).fill(429))
  })

  test('one victim’s email from many addresses, each spoofing: nobody is locked out, the owner signs in', async () => {
    const victim = await register(t.cluster.url)
    const statuses: number[] = []
    for (let i = 0; i < RATE_LIMIT_MAX + 5; i++) statuses.push(await login(`127.0.1.${i + 1}`, victim.email ?? '', spoofed()))
    expect(statuses).toEqual(Array(RATE_LIMIT_MAX + 5).fill(401))
    expect(await loginAs('127.0.0.3', victim)).toBe(200)
  })

  test('an attack on one account from 127.0.0.4, rotating X-Forwarded-For: it is slowed, then refused; the owner on 127.0.0.3 signs in throughout', async () => {
    const owner = await register(t.cluster.url)
    const attack: number[] = []
    const ownerLogins: number[] = []
    for (let i = 0; i < 16; i++) {
      attack.push(await login('127.0.0.4', owner.email ?? '', spoofed()))
      if (i % 4 === 3) ownerLogins.push(await loginAs('127.0.0.3', owner))
    }
    // 5 free failures and the one that starts the wait, then refused (backoff, then the address's limit).
    expect(attack.slice(0, 6)).toEqual(Array(6).fill(401))
    expect(attack.slice(6)).toEqual(Array(10).fill(429))
    expect(ownerLogins).toEqual([200, 200, 200, 200])
    report('login attack on one account', { attacker: attack.join(' '), owner: ownerLogins.join(' ') })
  })
})

/** A correct login through the edge from `localAddress`; answers the status. */
async function loginAs(localAddress: string, user: TestUser): Promise<number> {
  return loginThroughEdge(t.cluster.edgePort, localAddress, user.email ?? '', undefined, user.password)
}
