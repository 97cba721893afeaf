/**
 * Who may see and do what, through the real edge (nginx, the API, two gateways, Redis, FerretDB):
 * rooms reached by their link, logout that reaches open sockets on every node, the socket and
 * room quotas, no metrics at the edge, and names and text without control or bidi characters.
 */
import { HANDSHAKE_RATE_LIMITED, HANDSHAKE_UNAUTHORIZED, SOCKETS_PER_USER_LIMIT } from '@hangout/protocol'
import { io } from 'socket.io-client'
import { type Client, connect, createRoom, join, register, type TestUser } from '@hangout/testkit/clients'
import { type ClusterUnderTest, directSocket, recordAll, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'

/** RATE_LIMIT_MAX: rooms per user, and registrations per address (this suite registers 14 from one). */
const ROOM_LIMIT = 20
let t: ClusterUnderTest
let ann: TestUser

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 2, env: { RATE_LIMIT_MAX: String(ROOM_LIMIT), CHAT_BURST: '50' } })
  ann = await register(t.cluster.url, 'Ann')
}, 90_000)
afterAll(() => t?.stop())

const api = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${t.cluster.url}/api${path}`, {
    ...init,
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  })
const roomIdsOf = async (user: TestUser): Promise<string[]> =>
  ((await (await api('/rooms', user.token)).json()) as { rooms: { id: string }[] }).rooms.map((room) => room.id)

/** Opens a socket through the edge; answers it connected, or the connect_error message. */
function handshake(token: string, roomId: string): Promise<{ socket: Client; refusal?: string }> {
  const socket: Client = t.track(
    io(t.cluster.url, {
      path: '/socket.io',
      query: { room: roomId },
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    }),
  )
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }))
    socket.once('connect_error', (err) => resolve({ socket, refusal: err.message }))
  })
}

describe('rooms are reached by their link', () => {
  test('a stranger sees neither the room in GET /rooms nor its history (403), until they join by the id over the socket', async () => {
    const roomId = await createRoom(t.cluster.url, ann)
    const annSocket = t.track(connect(t.cluster.url, roomId, ann))
    await join(annSocket, roomId)
    expect((await annSocket.emitWithAck('message', { roomId, text: 'for members' })).ok).toBe(true)
    const stranger = await register(t.cluster.url, 'Stranger')

    expect(await roomIdsOf(stranger)).toEqual([])
    const refused = await api(`/rooms/${roomId}/messages`, stranger.token)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } })
    expect(await roomIdsOf(ann)).toContain(roomId)

    // join_room records the membership off the join's path: it shows within moments.
    await join(t.track(connect(t.cluster.url, roomId, stranger)), roomId)
    const took = await timeUntil(
      'the socket join made a member',
      async () => (await api(`/rooms/${roomId}/messages`, stranger.token)).status === 200,
      5000,
    )
    const history = (await (await api(`/rooms/${roomId}/messages`, stranger.token)).json()) as { messages: { text: string }[] }
    expect(history.messages.map((m) => m.text)).toEqual(['for members'])
    expect(await roomIdsOf(stranger)).toEqual([roomId])
    report('membership by socket join', { msUntilMember: took })
  })
})

describe('logout', () => {
  test('revokes the token on REST, on a new socket, and cuts off its open sockets on both nodes within 5 s', async () => {
    const leaver = await register(t.cluster.url, 'Leaver')
    const roomId = await createRoom(t.cluster.url, leaver)
    const viaEdge = t.track(connect(t.cluster.url, roomId, leaver))
    const home = (await join(viaEdge, roomId)).node
    const other = t.cluster.gateways.find((g) => g.nodeId !== home)
    if (!other) throw new Error('a second gateway is needed')
    const onOther = directSocket(t, other.url, roomId, leaver)
    expect((await join(onOther, roomId)).node).toBe(other.nodeId)
    const cut = [viaEdge, onOther].map(
      (socket) =>
        new Promise<number>((resolve) =>
          socket.once('disconnect', (reason) => reason === 'io server disconnect' && resolve(Date.now())),
        ),
    )
    for (const socket of [viaEdge, onOther]) socket.io.opts.reconnection = false

    const outAt = Date.now()
    const out = await api('/auth/logout', leaver.token, { method: 'POST' })
    expect(out.status).toBe(204)
    const tooks = (await Promise.all(cut)).map((at) => at - outAt)
    expect(Math.max(...tooks)).toBeLessThan(5000)

    for (const path of ['/auth/profile', '/rooms', `/rooms/${roomId}/messages`])
      expect((await api(path, leaver.token)).status).toBe(401)
    expect((await api('/rooms/room', leaver.token, { method: 'POST', body: JSON.stringify({ name: 'x' }) })).status).toBe(401)
    expect((await handshake(leaver.token, roomId)).refusal).toBe(HANDSHAKE_UNAUTHORIZED)
    report('logout', { msUntilSocketsCut: tooks.join('/') })
  })
})

describe('quotas', () => {
  test(`the ${SOCKETS_PER_USER_LIMIT + 1}st socket of one user, whatever its room and node, is refused with RATE_LIMITED`, async () => {
    const many = await register(t.cluster.url, 'Many')
    const rooms = await Promise.all([createRoom(t.cluster.url, many), createRoom(t.cluster.url, many)])
    const open: Client[] = []
    for (let i = 0; i < SOCKETS_PER_USER_LIMIT; i++) {
      const { socket, refusal } = await handshake(many.token, rooms[i % 2] as string)
      expect(refusal).toBeUndefined()
      open.push(socket)
    }
    for (const roomId of rooms) expect((await handshake(many.token, roomId)).refusal).toBe(HANDSHAKE_RATE_LIMITED)
    open[0]?.disconnect()
    await timeUntil(
      'a slot is free again',
      async () => (await handshake(many.token, rooms[0] as string)).refusal === undefined,
      5000,
    )
  })

  test('room spam: one user creates RATE_LIMIT_MAX rooms a window, then 429; nobody else is affected', async () => {
    const spammer = await register(t.cluster.url, 'Spammer')
    const statuses: number[] = []
    for (let i = 0; i < ROOM_LIMIT + 4; i++)
      statuses.push(
        (await api('/rooms/room', spammer.token, { method: 'POST', body: JSON.stringify({ name: `spam ${i}` }) })).status,
      )
    expect(statuses).toEqual([...Array(ROOM_LIMIT).fill(201), ...Array(4).fill(429)])
    expect(await t.db.collection('rooms').countDocuments({ ownerId: spammer.id })).toBe(ROOM_LIMIT)
    const bystander = await register(t.cluster.url, 'Bystander')
    expect((await api('/rooms/room', bystander.token, { method: 'POST', body: JSON.stringify({ name: 'mine' }) })).status).toBe(
      201,
    )
  })
})

test('metrics: 404 at the edge, served on the API’s own port', async () => {
  const atEdge = await fetch(`${t.cluster.url}/api/metrics`)
  expect(atEdge.status).toBe(404)
  expect(await atEdge.text()).not.toContain('http_requests_total')
  const own = await fetch(`${t.cluster.apiUrl}/metrics`)
  expect(own.status).toBe(200)
  expect(await own.text()).toContain('http_requests_total')
})

describe('names and text', () => {
  const hostile = ['Ann\u202Egnp.exe', 'zero\u200Bwidth', 'nul\u0000', 'bell\u0007', 'c1\u0085', 'iso\u2066late', '\u200D\u200D']
  test.each(hostile)(
    '%j is refused as a name (register 400, room 400) and as chat text (BAD_REQUEST, reaches nobody)',
    async (text) => {
      const registered = await api('/auth/register', undefined, {
        method: 'POST',
        body: JSON.stringify({ name: text, email: `x${Date.now()}${Math.random()}@example.com`, password: 'long enough pw' }),
      })
      expect(registered.status).toBe(400)
      const room = await api('/rooms/room', ann.token, { method: 'POST', body: JSON.stringify({ name: text }) })
      expect(room.status).toBe(400)
      expect(((await room.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED')
    },
  )

  test('chat text: control and bidi characters refused and seen by nobody; emoji, scripts and line breaks kept as sent', async () => {
    const roomId = await createRoom(t.cluster.url, ann)
    const bob = await register(t.cluster.url, 'Bob')
    const [a, b] = [t.track(connect(t.cluster.url, roomId, ann)), t.track(connect(t.cluster.url, roomId, bob))]
    await join(a, roomId)
    await join(b, roomId)
    const seen = recordAll(b)
    for (const text of hostile)
      expect(await a.emitWithAck('message', { roomId, text })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    const kept = ['👨‍👩‍👧 family', 'مرحبا بالعالم', 'नमस्ते', 'می‌خواهم', 'two\nlines', 'שלום \u200Fעולם']
    for (const text of kept)
      expect(await a.emitWithAck('message', { roomId, text })).toMatchObject({ ok: true, message: { text } })
    await timeUntil('every kept message arrives', () => seen.filter((e) => e.event === 'message').length === kept.length, 5000)
    expect(seen.filter((e) => e.event === 'message').map((e) => (e.args[0] as { text: string }).text)).toEqual(kept)
    expect(await t.db.collection('messages').countDocuments({ roomId })).toBe(kept.length)
  })
})
