import {
  HANDSHAKE_FORBIDDEN_ORIGIN,
  HANDSHAKE_UNAUTHORIZED,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  TOKEN_ALGORITHM,
} from '@hangout/protocol'
import { Collections, RedisKeys } from '@hangout/store'
import { readFileSync } from 'node:fs'
import { ensureDevKeyPair } from '@hangout/runtime'
import { createSigner } from 'fast-jwt'
import { Redis } from 'ioredis'
import { crossNodeEvents, lateJoiner } from './scenarios.js'
import { collect, foreignPrivateKey, randomId, signToken, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

const GRACE_MS = 2500
const { cluster } = gatewaySuite({ nodes: 3, env: { GRACE_MS: String(GRACE_MS) } })

const n0 = () => cluster.node(0)
const n1 = () => cluster.node(1)
const n2 = () => cluster.node(2)

describe('one room across three nodes', () => {
  test('chat and sync events cross nodes; only the sender is left out of sync events', () => crossNodeEvents(cluster))

  test('two tabs on two nodes are one participant; leave_room tells the others at once', async () => {
    const roomId = await cluster.createRoom()
    const [obs, two] = [user('Observer'), user('TwoTabs')]
    const o = await cluster.join(n2(), obs, roomId)
    const joined = collect(o.socket, 'user_joined')
    const leaved = collect(o.socket, 'user_leaved')
    const tab1 = await cluster.join(n0(), two, roomId)
    const tab2 = await cluster.join(n1(), two, roomId)
    expect(tab2.ack.participants.filter((p) => p.id === two.id)).toHaveLength(1)
    expect(tab2.ack.participants).toHaveLength(2)
    await until('one user_joined', () => joined.length === 1)
    expect(joined[0]).toEqual({ roomId, user: two, count: 2 })

    tab1.socket.disconnect()
    await sleep(GRACE_MS + 700)
    expect(leaved).toHaveLength(0)
    const started = Date.now()
    expect(await tab2.socket.emitWithAck('leave_room', { roomId })).toEqual({ ok: true })
    await until('user_leaved after the last tab left', () => leaved.length === 1, 2000)
    expect(Date.now() - started).toBeLessThan(GRACE_MS)
    expect(leaved[0]).toEqual({ roomId, user: two, count: 1 })
    expect(joined).toHaveLength(1)
    expect(await tab2.socket.emitWithAck('message', { roomId, text: 'gone' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_IN_ROOM' },
    })
  })

  test('a reconnect within the grace is silent; user_leaved follows the grace otherwise', async () => {
    const roomId = await cluster.createRoom()
    const [obs, blip] = [user('Observer'), user('Blip')]
    const o = await cluster.join(n2(), obs, roomId)
    const joined = collect(o.socket, 'user_joined')
    const leaved = collect(o.socket, 'user_leaved')
    const first = await cluster.join(n0(), blip, roomId)
    await until('blip joined', () => joined.length === 1)

    first.socket.disconnect()
    await sleep(200)
    const again = await cluster.join(n1(), blip, roomId)
    expect(again.ack.participants.map((p) => p.id).sort()).toEqual([obs.id, blip.id].sort())
    await sleep(GRACE_MS + 700)
    expect(leaved).toHaveLength(0)
    expect(joined).toHaveLength(1)

    const gone = Date.now()
    again.socket.disconnect()
    await until('user_leaved after the grace', () => leaved.length === 1, GRACE_MS + 3000)
    const waited = Date.now() - gone
    expect(waited).toBeGreaterThanOrEqual(GRACE_MS - 100)
    expect(waited).toBeLessThan(5000)
    expect(leaved[0]).toEqual({ roomId, user: blip, count: 1 })
  })

  test('a late joiner gets the state and the history in order; a leaver takes their highlight along', () => lateJoiner(cluster))

  test('a burst of scrolls reaches the room at most ~20 times a second, the last value always', async () => {
    const roomId = await cluster.createRoom()
    const leader = await cluster.join(n1(), user('Leader'), roomId)
    const follower = await cluster.join(cluster.node(2), user('Follower'), roomId)
    const seen = collect(follower.socket, 'scroll_updated')
    const mine = collect(leader.socket, 'scroll_updated')
    const started = Date.now()
    // 25 steps as fast as they go (within the 30/s burst), every one acknowledged.
    const acks = await Promise.all(
      Array.from({ length: 25 }, (_, i) => leader.socket.emitWithAck('scroll_update', { roomId, top: (i + 1) / 25 })),
    )
    expect(acks.every((ack) => ack.ok)).toBe(true)
    const elapsed = Date.now() - started
    await until('the last position arrives', () => seen.at(-1)?.top === 1)
    expect(seen.length).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 50))
    expect(seen.length).toBeLessThan(25)
    expect(mine).toEqual([])
    const late = await cluster.join(cluster.node(0), user('Late'), roomId)
    expect(late.ack.state.top).toBe(1)
  })

  test('history is the latest 50, ascending', async () => {
    const roomId = await cluster.createRoom()
    const docs = Array.from({ length: 60 }, (_, i) => ({
      _id: randomId('m'),
      roomId,
      seq: i + 1,
      userId: 'u',
      userName: 'U',
      text: `t${i + 1}`,
      ts: Date.now(),
    }))
    await cluster.insertMessages(docs)
    const { socket, ack } = await cluster.join(n1(), user('Reader'), roomId)
    expect(ack.history.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11))
    const next = await socket.emitWithAck('message', { roomId, text: 'after the seeded ones' })
    expect(next).toMatchObject({ ok: true, message: { seq: 61 } })
  })
})

describe('refusals change nothing and reach nobody', () => {
  test('every bad payload answers BAD_REQUEST', async () => {
    const roomId = await cluster.createRoom()
    const observer = await cluster.join(n2(), user('Observer'), roomId)
    const { socket } = await cluster.join(n0(), user('Sender'), roomId)
    await sleep(100)
    const seen = [
      collect(observer.socket, 'message'),
      collect(observer.socket, 'user_clicked'),
      collect(observer.socket, 'scroll_updated'),
      collect(observer.socket, 'page_changed'),
      collect(observer.socket, 'user_joined'),
      collect(observer.socket, 'user_leaved'),
    ]
    const bad: [string, unknown][] = [
      ['join_room', {}],
      ['join_room', { roomId: 'no spaces allowed' }],
      ['join_room', { roomId, extra: 1 }],
      ['join_room', null],
      ['leave_room', { roomId: 42 }],
      ['message', { roomId, text: '' }],
      ['message', { roomId, text: '    ' }],
      ['message', { roomId, text: 'x'.repeat(2001) }],
      ['message', { roomId, text: 5 }],
      ['message', { text: 'no room' }],
      ['message', 'just a string'],
      ['click_event', { roomId, productId: 0 }],
      ['click_event', { roomId, productId: 21 }],
      ['click_event', { roomId, productId: 1.5 }],
      ['click_event', { roomId, productId: '3' }],
      ['scroll_update', { roomId, top: -0.1 }],
      ['scroll_update', { roomId, top: 1.01 }],
      ['scroll_update', { roomId, top: 'half' }],
      ['page_change', { roomId, page: 0 }],
      ['page_change', { roomId, page: 4 }],
      ['page_change', { roomId, page: 2.5 }],
    ]
    for (const [event, payload] of bad) {
      const ack = await (socket as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(
        event,
        payload,
      )
      expect({ event, payload, ack }).toMatchObject({ event, payload, ack: { ok: false, error: { code: 'BAD_REQUEST' } } })
    }
    const twoArgs = await (socket as unknown as { emitWithAck(e: string, ...p: unknown[]): Promise<unknown> }).emitWithAck(
      'message',
      { roomId, text: 'a' },
      'extra',
    )
    expect(twoArgs).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    const unknownRoom = await socket.emitWithAck('join_room', { roomId: randomId('nope') })
    expect(unknownRoom).toMatchObject({ ok: false, error: { code: 'ROOM_NOT_FOUND' } })

    await sleep(200)
    for (const events of seen) expect(events).toHaveLength(0)
    expect(await cluster.db.collection(Collections.messages).countDocuments({ roomId })).toBe(0)
    const late = await cluster.join(n1(), user('Late'), roomId)
    expect(late.ack.state).toEqual({ page: 1, top: 0, highlights: {} })
  })

  test('events for a room not joined answer NOT_IN_ROOM', async () => {
    const roomId = await cluster.createRoom()
    const other = await cluster.createRoom()
    const observer = await cluster.join(n1(), user('Observer'), other)
    const messages = collect(observer.socket, 'message')
    const { socket } = await cluster.join(n0(), user('Elsewhere'), roomId)
    const acks = await Promise.all([
      socket.emitWithAck('message', { roomId: other, text: 'hi' }),
      socket.emitWithAck('click_event', { roomId: other, productId: 1 }),
      socket.emitWithAck('scroll_update', { roomId: other, top: 0.1 }),
      socket.emitWithAck('page_change', { roomId: other, page: 2 }),
      socket.emitWithAck('leave_room', { roomId: other }),
    ])
    for (const ack of acks) expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } })
    await sleep(150)
    expect(messages).toHaveLength(0)
    expect(await cluster.db.collection(Collections.messages).countDocuments({ roomId: other })).toBe(0)
  })

  test('rate limits: only accepted messages are delivered and stored; a flooding socket is cut off', async () => {
    const roomId = await cluster.createRoom()
    const observer = await cluster.join(n1(), user('Observer'), roomId)
    const delivered = collect(observer.socket, 'message')
    const { socket } = await cluster.join(n0(), user('Chatty'), roomId)
    const began = Date.now()
    const acks = await Promise.all(
      Array.from({ length: 25 }, (_, i) => socket.emitWithAck('message', { roomId, text: `burst ${i}` })),
    )
    // Burst 10, refilled at 5/s while the burst was being handled.
    const allowed = 10 + Math.ceil((5 * (Date.now() - began)) / 1000)
    const accepted = acks.flatMap((ack) => (ack.ok ? [ack.message.id] : []))
    const limited = acks.filter((ack) => !ack.ok && ack.error.code === 'RATE_LIMITED')
    expect(accepted.length).toBeGreaterThanOrEqual(10)
    expect(accepted.length).toBeLessThanOrEqual(allowed)
    expect(limited.length).toBe(25 - accepted.length)
    await until('accepted messages delivered', () => delivered.length === accepted.length)
    await sleep(200)
    expect(delivered.map((m) => m.id).sort()).toEqual([...accepted].sort())
    expect(await cluster.db.collection(Collections.messages).countDocuments({ roomId })).toBe(accepted.length)

    const flooder = await cluster.join(n0(), user('Flooder'), roomId)
    const reason = new Promise<string>((resolve) => flooder.socket.once('disconnect', resolve))
    for (let i = 0; i < 300; i++) flooder.socket.emit('scroll_update', { roomId, top: 0.5 }, () => {})
    expect(await reason).toBe('io server disconnect')
    expect(socket.connected).toBe(true)
  })

  test('an oversized frame closes only that socket', async () => {
    const roomId = await cluster.createRoom()
    const big = await cluster.join(n0(), user('Big'), roomId)
    const small = await cluster.join(n0(), user('Small'), roomId)
    const messages = collect(small.socket, 'message')
    const closed = new Promise<string>((resolve) => big.socket.once('disconnect', resolve))
    big.socket.emit('message', { roomId, text: 'x'.repeat(100_000) }, () => {})
    expect(await closed).toBe('transport close')
    const ack = await small.socket.emitWithAck('message', { roomId, text: 'still here' })
    expect(ack.ok).toBe(true)
    await until('the small one still gets messages', () => messages.length === 1)
    // A frame past any legal one: 2000 control characters that JSON escapes to 6 bytes each, padded with
    // the most whitespace allowed, still fits (refused by the text rule, the socket kept).
    const escaped = await small.socket.emitWithAck('message', { roomId, text: '\u0001'.repeat(2000) + ' '.repeat(2064) })
    expect(escaped).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    // The largest legal frame: 2000 characters of 3 UTF-8 bytes each (controls, the only 6-byte escapes, are refused).
    const largest = await small.socket.emitWithAck('message', { roomId, text: '中'.repeat(2000) + ' '.repeat(2064) })
    expect(largest).toMatchObject({ ok: true, message: { text: '中'.repeat(2000) } })
    expect(small.socket.connected).toBe(true)
  })
})

describe('handshake', () => {
  const refusal = (socket: ReturnType<typeof cluster.socket>) =>
    new Promise<string>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected')))
      socket.once('connect_error', (err) => resolve(err.message))
    })
  const someone = user('Someone')
  beforeAll(() => cluster.addUser(someone))

  test.each([
    ['missing', ''],
    ['malformed', 'not.a.jwt'],
    ['forged', signToken(someone, { key: foreignPrivateKey() })],
    ['expired', signToken(someone, { issuedAtMs: Date.now() - 120_000, expiresInMs: 60_000 })],
    ['for another audience', signToken(someone, { audience: 'elsewhere' })],
    ['from another issuer', signToken(someone, { issuer: 'elsewhere' })],
  ])('a %s token is refused with UNAUTHORIZED', async (_case, token) => {
    expect(await refusal(cluster.socket(n1(), token, 'r1'))).toBe(HANDSHAKE_UNAUTHORIZED)
  })

  test.each(['iss', 'aud', 'jti', 'iat'])('a token without %s is refused with UNAUTHORIZED', async (claim) => {
    const signed = createSigner({
      key: readFileSync(ensureDevKeyPair().privateKeyFile, 'utf8'),
      algorithm: TOKEN_ALGORITHM,
      ...(claim === 'iss' ? {} : { iss: DEFAULT_TOKEN_ISSUER }),
      ...(claim === 'aud' ? {} : { aud: DEFAULT_TOKEN_AUDIENCE }),
      noTimestamp: claim === 'iat',
      expiresIn: 600_000,
    })({ sub: someone.id, name: someone.name, ...(claim === 'jti' ? {} : { jti: randomId('jti') }) })
    expect(await refusal(cluster.socket(n1(), signed, 'r1'))).toBe(HANDSHAKE_UNAUTHORIZED)
  })

  test('a revoked token, or a token issued before its user was cut off (deleted), is refused with UNAUTHORIZED, and counted', async () => {
    const redis = new Redis(cluster.redisUrl)
    try {
      const jti = randomId('jti')
      await redis.set(RedisKeys.revokedToken(someone.id, jti), '1', 'PX', 60_000)
      expect(await refusal(cluster.socket(n1(), signToken(someone, { jti }), 'r1'))).toBe(HANDSHAKE_UNAUTHORIZED)
      const gone = user('Gone')
      const oldToken = signToken(gone, { issuedAtMs: Date.now() - 5000 })
      await redis.set(RedisKeys.userCutoff(gone.id), String(Date.now()), 'PX', 60_000)
      expect(await refusal(cluster.socket(n1(), oldToken, 'r1'))).toBe(HANDSHAKE_UNAUTHORIZED)
      const metrics = await (await fetch(`http://127.0.0.1:${n1().port}/metrics`)).text()
      expect(metrics).toMatch(/^hangout_gateway_handshakes_refused_total\{[^}]*reason="revoked"[^}]*\} 2$/m)
      // The same user's other tokens are not touched by a jti's revocation.
      await cluster.connect(n1(), signToken(someone), 'r1')
    } finally {
      redis.disconnect()
    }
  })

  test('a foreign Origin is refused; the edge origin and no Origin are let in', async () => {
    const token = signToken(someone)
    expect(await refusal(cluster.socket(n0(), token, 'r1', { origin: 'http://evil.example' }))).toBe(HANDSHAKE_FORBIDDEN_ORIGIN)
    const fromEdge = cluster.socket(n0(), token, 'r1', { origin: 'http://127.0.0.1:8080' })
    await new Promise((resolve) => fromEdge.once('connect', () => resolve(undefined)))
    await cluster.connect(n0(), token, 'r1')
  })
})

describe('ops endpoints', () => {
  test('/healthz names the node; /metrics counts events', async () => {
    const health = await fetch(`http://127.0.0.1:${n2().port}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', node: n2().id })
    const metrics = await (await fetch(`http://127.0.0.1:${n0().port}/metrics`)).text()
    expect(metrics).toMatch(/hangout_gateway_events_in_total\{event="message",node="[^"]+"\} [1-9]/)
    expect(metrics).toMatch(/hangout_gateway_rejected_total\{event="message",code="RATE_LIMITED"/)
    expect(metrics).toContain('hangout_gateway_ack_seconds_bucket')
  })

  test('/metrics counts a delivery per socket written to, on the node that writes it, and no ack', async () => {
    const roomId = await cluster.createRoom()
    const [clicker, near, far] = [user('Clicker'), user('Near'), user('Far')]
    const a = await cluster.join(n0(), clicker, roomId)
    const b = await cluster.join(n0(), near, roomId)
    const c = await cluster.join(n1(), far, roomId)
    const seen = [collect(b.socket, 'user_clicked'), collect(c.socket, 'user_clicked')]
    const read = async (node: { port: number }, series: string) => {
      const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text()
      return Number(text.match(new RegExp(`^${series} (\\d+)$`, 'm'))?.[1] ?? 0)
    }
    const deliveries = 'hangout_gateway_deliveries_total\\{[^}]*\\}'
    const clickedOut = 'hangout_gateway_events_out_total\\{event="user_clicked"[^}]*\\}'
    const counts = async () => [await read(n0(), deliveries), await read(n1(), deliveries)]
    // The joins' own user_joined deliveries (and any grace of an earlier test) are done before the counts are read.
    let before = await counts()
    for (let still = false; !still; ) {
      await sleep(600)
      const now = await counts()
      still = now.every((n, i) => n === before[i])
      before = now
    }
    const [before0 = 0, before1 = 0] = before
    const clickedBefore = await read(n0(), clickedOut)
    for (let i = 0; i < 3; i++)
      expect(await a.socket.emitWithAck('click_event', { roomId, productId: i + 1 })).toEqual({ ok: true })
    await until('both saw three clicks', () => seen.every((events) => events.length === 3))
    expect(await read(n0(), deliveries)).toBe(before0 + 3)
    expect(await read(n1(), deliveries)).toBe(before1 + 3)
    expect(await read(n0(), clickedOut)).toBe(clickedBefore + 3)
  })
})
