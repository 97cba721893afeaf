/**
 * Hostile input against the real cluster (edge, API, one gateway): property tests of every socket
 * event and every REST body. Each one answers a clean error (or is dropped), reaches nobody,
 * stores nothing, and the node stays up. HANGOUT_FUZZ_RUNS (default 60) sets the runs per event.
 */
import {
  type ClientEventName,
  clientPayloadValidators,
  RestError,
  RestErrorStatus,
  restValidators,
  SOCKETS_PER_USER_LIMIT,
  validator,
} from '@hangout/protocol'
import fc from 'fast-check'
import { type Client, connect, createRoom, join, register, type TestUser } from '@hangout/testkit/clients'
import { type ClusterUnderTest, recordAll, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { timeUntil } from '../support/report.js'
import { asSent, bodyAsParsed, fitsInFrame, hostilePayload, hostileValue } from '../support/hostile.js'

const RUNS = Number(process.env.HANGOUT_FUZZ_RUNS ?? 60)
/** Enough sockets that no one of them passes an event's burst (10): the answer is then never RATE_LIMITED. */
const ATTACKERS = Math.ceil(RUNS / 6)
const restErrorValidator = validator(RestError)

/** A socket seen without the contract's typings: hostile input has no type. */
interface Untyped {
  emit(event: string, ...args: unknown[]): void
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> }
}
const untyped = (socket: Client) => socket as unknown as Untyped

let t: ClusterUnderTest
let owner: TestUser
/** The attackers' users: one per SOCKETS_PER_USER_LIMIT sockets, the most a user may hold. */
let mallories: TestUser[] = []
let roomId: string
const attackers: Client[] = []
let observer: Client
let observed: ReturnType<typeof recordAll>
let attackerSaw: ReturnType<typeof recordAll>[] = []
let disconnects = 0
let next = 0
const attacker = () => untyped(attackers[next++ % attackers.length] as Client)

const VALID: Record<ClientEventName, (roomId: string) => Record<string, unknown>> = {
  join_room: (roomId) => ({ roomId }),
  leave_room: (roomId) => ({ roomId }),
  message: (roomId) => ({ roomId, text: 'hello' }),
  click_event: (roomId) => ({ roomId, productId: 3 }),
  scroll_update: (roomId) => ({ roomId, top: 0.5 }),
  page_change: (roomId) => ({ roomId, page: 2 }),
  typing: (roomId) => ({ roomId }),
  pointer_move: (roomId) => ({ roomId, x: 0.25, y: 0.75 }),
  edit_message: (roomId) => ({ roomId, id: 'no-such-message', text: 'edited' }),
  delete_message: (roomId) => ({ roomId, id: 'no-such-message' }),
}
const EVENTS = Object.keys(VALID) as ClientEventName[]

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 1 })
  owner = await register(t.cluster.url)
  mallories = await Promise.all(
    Array.from({ length: Math.ceil(ATTACKERS / SOCKETS_PER_USER_LIMIT) }, () => register(t.cluster.url)),
  )
  roomId = await createRoom(t.cluster.url, owner)
  for (let i = 0; i < ATTACKERS; i++) {
    const socket = t.track(connect(t.cluster.url, roomId, mallories[Math.floor(i / SOCKETS_PER_USER_LIMIT)] as TestUser))
    await join(socket, roomId)
    socket.on('disconnect', () => disconnects++)
    attackers.push(socket)
  }
  let told = 0
  for (const socket of attackers) socket.once('user_joined', () => told++)
  observer = t.track(connect(t.cluster.url, roomId, owner))
  await join(observer, roomId)
  // The observer's own user_joined reaches the attackers just after its ack: record from then on.
  await timeUntil('every attacker told of the observer', () => told === attackers.length, 10_000)
  observed = recordAll(observer)
  attackerSaw = attackers.map(recordAll)
}, 60_000)

afterAll(() => t?.stop())

describe('every socket event, with hostile payloads', () => {
  test.each(EVENTS)('%s: a clean BAD_REQUEST ack', async (event) => {
    const valid = VALID[event](roomId)
    const invalid = hostilePayload(valid, { binary: true }).filter(
      (p) => fitsInFrame(p) && !clientPayloadValidators[event].check(asSent(p)).ok,
    )
    await fc.assert(
      fc.asyncProperty(invalid, async (payload) => {
        const ack = await attacker().timeout(5000).emitWithAck(event, payload)
        expect(ack).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } })
      }),
      { numRuns: RUNS },
    )
  })

  test('extra arguments are BAD_REQUEST; an event without an ack callback is dropped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EVENTS), hostileValue({ binary: true }), async (event, extra) => {
        const socket = attacker()
        const ack = await socket.timeout(5000).emitWithAck(event, VALID[event](roomId), extra)
        expect(ack).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } })
        socket.emit(event, VALID[event](roomId))
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    )
  })

  test('unknown event names are dropped without an answer', async () => {
    const reserved = new Set<string>([
      ...EVENTS,
      'connect',
      'connect_error',
      'disconnect',
      'disconnecting',
      'newListener',
      'removeListener',
    ])
    let answered = 0
    await fc.assert(
      fc.property(
        fc.string({ maxLength: 200, unit: 'binary' }).filter((name) => !reserved.has(name)),
        hostileValue({ binary: true }),
        (name, payload) => {
          attacker().emit(name, payload, () => answered++)
        },
      ),
      { numRuns: RUNS * 3 },
    )
    // A socket handles its packets in order: once each answers a later event, the unknown ones were handled.
    for (const socket of attackers) {
      expect(await untyped(socket).timeout(5000).emitWithAck('leave_room', {})).toMatchObject({ error: { code: 'BAD_REQUEST' } })
    }
    expect(answered).toBe(0)
  })

  test('afterwards: nothing reached anyone, nothing was stored, the node is up and nobody was cut off', async () => {
    expect(observed).toEqual([])
    for (const seen of attackerSaw) expect(seen).toEqual([])
    expect(disconnects).toBe(0)
    expect(attackers.every((socket) => socket.connected)).toBe(true)
    expect(await t.count('messages')).toBe(0)
    const gateway = t.cluster.gateway(1)
    expect(gateway.running).toBe(true)
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200)
    const late = await join(t.track(connect(t.cluster.url, roomId, owner)), roomId)
    expect(late.state).toEqual({ page: 1, top: 0, highlights: {} })
    expect(late.history).toEqual([])
    expect(late.participants.map((p) => p.id).sort()).toEqual([owner.id, ...mallories.map((m) => m.id)].sort())
  })
})

describe('every REST body, with hostile input', () => {
  /** Through the edge's `/api`, or straight to the API (`base`) for what nginx would refuse first. */
  async function call(method: string, path: string, body?: unknown, token?: string, base = `${t.cluster.url}/api`) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, text }
  }

  function expectCleanError({ status, text }: { status: number; text: string }) {
    expect(status).toBeGreaterThanOrEqual(400)
    expect(status).toBeLessThan(500)
    const body: unknown = JSON.parse(text)
    const shape = restErrorValidator.check(body)
    if (!shape.ok) throw new Error(`not the contract's error shape (${shape.message}): ${text}`)
    expect(RestErrorStatus[shape.value.error.code]).toBe(status)
  }

  const bodies = (valid: Record<string, unknown>, check: (v: unknown) => boolean) =>
    fc.oneof(hostilePayload(valid, { binary: false }), fc.string({ maxLength: 300 })).filter((b) => !check(bodyAsParsed(b)))

  const ROUTES = [
    {
      path: '/auth/register',
      auth: false,
      valid: { name: 'Eve', email: 'eve@example.com', password: 'long enough pw' },
      check: restValidators.register.check,
    },
    {
      path: '/auth/login',
      auth: false,
      valid: { email: 'eve@example.com', password: 'long enough pw' },
      check: restValidators.login.check,
    },
    { path: '/rooms/room', auth: true, valid: { name: 'a room' }, check: restValidators.createRoom.check },
    { path: '/rooms/join', auth: true, valid: { roomId: 'abc' }, check: restValidators.joinRoom.check },
  ]

  test.each(ROUTES)('POST $path: a clean 4xx in the contract shape', async ({ path, auth, valid, check }) => {
    await fc.assert(
      fc.asyncProperty(
        bodies(valid, (b) => check(b).ok),
        async (body) => {
          expectCleanError(await call('POST', path, body, auth ? owner.token : undefined))
        },
      ),
      { numRuns: RUNS * 2 },
    )
  })

  test('GET /rooms/:roomId/messages with hostile ids and queries: 200 only for a well-formed one', async () => {
    const query = fc.dictionary(
      fc.oneof(fc.constantFrom('before', 'limit', '__proto__'), fc.string({ maxLength: 10 })),
      fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.double().map(String)),
      { maxKeys: 3 },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(roomId), fc.string({ minLength: 1, maxLength: 100, unit: 'binary' })),
        query,
        async (id, params) => {
          const search = new URLSearchParams(params).toString()
          const path = `/rooms/${encodeURIComponent(id)}/messages?${search}`
          const answer = await call('GET', path, undefined, owner.token, t.cluster.apiUrl)
          if (answer.status === 200) {
            expect(id).toBe(roomId)
            expect(JSON.parse(answer.text)).toEqual({ messages: [] })
          } else expectCleanError(answer)
        },
      ),
      { numRuns: RUNS * 2 },
    )
  })

  // Once D1: nginx refused a URI with a NUL byte with its own HTML page; its error pages under /api/ are JSON now.
  test('through the edge, a URI nginx refuses still answers in the contract error shape', async () => {
    expectCleanError(await call('GET', '/rooms/%00/messages', undefined, owner.token))
  })

  test('afterwards: no user, room or message was stored', async () => {
    expect(await t.count('users')).toBe(1 + mallories.length)
    expect(await t.count('rooms')).toBe(1)
    expect(await t.count('messages')).toBe(0)
  })
})
