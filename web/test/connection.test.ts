/**
 * The web app's connection module and room store against a real cluster (API, 3 gateways, nginx):
 * joining, events both ways, chat without duplicates, missed chat filled in after being away, and a
 * drained gateway's `rebalance` followed to another node without the list flapping.
 */
import { HISTORY_LIMIT, type PublicUser } from '@hangout/protocol'
import { type Cluster, startCluster } from '@hangout/testkit/cluster'
import { waitFor } from '@hangout/testkit/process'
import { MongoClient } from 'mongodb'
import { type Client, connect, createRoom, join, register, say, type TestUser, testMongoUrl } from '@hangout/testkit/clients'
import { createApiClient } from '../src/api.js'
import { connectRoom, newClientId, type RoomConnection } from '@hangout/client'
import { createRoomStore, type RoomStore } from '../src/roomStore.js'
import { createSessionStore, type SessionStorage } from '../src/session.js'

const mongoUrl = testMongoUrl()
let cluster: Cluster
const closers: (() => void)[] = []

class MemoryStorage implements SessionStorage {
  private readonly items = new Map<string, string>()
  getItem = (key: string) => this.items.get(key) ?? null
  setItem = (key: string, value: string) => void this.items.set(key, value)
  removeItem = (key: string) => void this.items.delete(key)
}

/** The app's own pieces for one signed-in user, pointed at the cluster's edge. */
function appFor(user: TestUser) {
  const session = createSessionStore(new MemoryStorage())
  closers.push(() => session.dispose())
  session.start(user.token, {
    id: user.id,
    name: user.name,
    email: `${user.id}@example.com`,
    createdAt: new Date().toISOString(),
  })
  const api = createApiClient(session, (path, init) => fetch(`${cluster.url}${String(path)}`, init))
  const notices: string[] = []
  const newStore = (roomId: string) =>
    createRoomStore({
      me: { id: user.id, name: user.name },
      fetchBefore: (before, limit) => api.messagesBefore(roomId, before, limit),
      notify: (text) => notices.push(text),
    })
  const open = (roomId: string, store: RoomStore): RoomConnection => {
    const connection = connectRoom({
      origin: cluster.url,
      roomId,
      token: () => session.current.peek()?.token ?? null,
      onJoining: () => store.joining(),
      onJoined: (ack) => void store.joined(ack),
      onJoinRefused: (error) => notices.push(`refused ${error.code}`),
      onUnauthorized: () => notices.push('unauthorized'),
      events: store.events,
    })
    closers.push(() => connection.close())
    return connection
  }
  return { session, api, notices, newStore, open }
}

function raw(roomId: string, user: TestUser): Client {
  const socket = connect(cluster.url, roomId, user)
  closers.push(() => socket.disconnect())
  return socket
}

/** Two new users, a room of Ana's, and each one's app and store for it (not connected yet). */
async function anaAndBeaWithARoom() {
  const [ana, bea] = await Promise.all([register(cluster.url, 'Ana'), register(cluster.url, 'Bea')])
  const roomId = await createRoom(cluster.url, ana)
  const a = appFor(ana)
  const b = appFor(bea)
  return { ana, bea, roomId, a, b, aStore: a.newStore(roomId), bStore: b.newStore(roomId) }
}

const names = (people: readonly PublicUser[]) => people.map((p) => p.name).sort()

beforeAll(async () => {
  cluster = await startCluster({ gateways: 3, privateRedis: true, env: { MONGO_URL: mongoUrl, RATE_LIMIT_MAX: '1000' } })
}, 240000)

afterEach(() => {
  for (const close of closers.splice(0)) close()
})

afterAll(async () => {
  await cluster?.stop()
  const mongo = new MongoClient(mongoUrl)
  await mongo.db().dropDatabase()
  await mongo.close()
})

describe('the web app’s room connection', () => {
  test('two users meet: presence, chat both ways without duplicates, clicks, scroll and page', async () => {
    const { ana, roomId, a, b, aStore, bStore } = await anaAndBeaWithARoom()
    const aConn = a.open(roomId, aStore)
    await waitFor('Ana connected', async () => aConn.status.peek() === 'connected')
    expect(aConn.node.peek()).toMatch(/^node-\d$/)
    const bConn = b.open(roomId, bStore)
    await waitFor('Bea connected', async () => bConn.status.peek() === 'connected')
    await waitFor('Ana sees Bea', async () => aStore.participants.peek().length === 2)
    expect(names(bStore.participants.peek())).toEqual(['Ana', 'Bea'])
    expect(a.notices).toContain('Bea joined')

    const sent = await aConn.send('hello <b>Bea</b>', newClientId())
    if (!sent.ok) throw new Error(sent.error.message)
    aStore.addMessages([sent.message])
    const reply = await bConn.send('hi Ana', newClientId())
    expect(reply.ok).toBe(true)
    await waitFor(
      'both see both messages',
      async () => aStore.messages.peek().length === 2 && bStore.messages.peek().length === 2,
    )
    // The sender's ack and the room's broadcast carry the same message: it is shown once.
    expect(aStore.messages.peek().map((m) => m.text)).toEqual(['hello <b>Bea</b>', 'hi Ana'])
    expect(bStore.messages.peek().map((m) => m.text)).toEqual(['hello <b>Bea</b>', 'hi Ana'])

    expect(await aConn.click(7)).toEqual({ ok: true })
    expect(await aConn.page(2)).toEqual({ ok: true })
    expect(await aConn.scroll(0.5)).toEqual({ ok: true })
    await waitFor(
      'Bea follows Ana',
      async () => bStore.highlights.peek()[ana.id] === 7 && bStore.page.peek() === 2 && bStore.top.peek() === 0.5,
    )
    expect(bStore.lastMover.peek()?.name).toBe('Ana')
    // A refused payload is answered, not thrown.
    expect(await aConn.page(9)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })

    bConn.close()
    await waitFor('Ana sees Bea leave', async () => aStore.participants.peek().length === 1)
    expect(a.notices).toContain('Bea left')
    expect(bConn.status.peek()).toBe('offline')
  })

  test('chat missed while away is filled in on the next join, each message once', async () => {
    const [ana, bea] = await Promise.all([register(cluster.url, 'Ana'), register(cluster.url, 'Bea')])
    const roomId = await createRoom(cluster.url, ana)
    const a = appFor(ana)
    const store = a.newStore(roomId)
    const first = a.open(roomId, store)
    await waitFor('Ana connected', async () => first.status.peek() === 'connected')
    const hello = await first.send('before I left', newClientId())
    expect(hello.ok).toBe(true)
    await waitFor('Ana has her message', async () => store.messages.peek().length === 1)
    first.close()

    // 70 messages while Ana is away (more than a join's history of 50), from 7 sockets within their rate limits.
    const senders = Array.from({ length: 7 }, () => raw(roomId, bea))
    await Promise.all(senders.map((socket) => join(socket, roomId)))
    await Promise.all(
      senders.map(async (socket, s) => {
        for (let i = 0; i < 10; i++) await say(socket, roomId, `away ${s * 10 + i}`)
      }),
    )

    const again = a.open(roomId, store)
    await waitFor(
      'Ana back with everything',
      async () => again.status.peek() === 'connected' && store.messages.peek().length === 71,
      15000,
    )
    const seqs = store.messages.peek().map((m) => m.seq)
    expect(new Set(store.messages.peek().map((m) => m.id)).size).toBe(71)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    expect(store.messages.peek()[0]?.text).toBe('before I left')
    expect(
      new Set(
        store.messages
          .peek()
          .slice(1)
          .map((m) => m.text),
      ),
    ).toEqual(new Set(Array.from({ length: 70 }, (_, i) => `away ${i}`)))

    // Someone opening the room now gets the latest HISTORY_LIMIT, and the rest on asking for earlier ones.
    const newcomer = a.newStore(roomId)
    const third = a.open(roomId, newcomer)
    await waitFor('the newcomer joined', async () => third.status.peek() === 'connected' && newcomer.messages.peek().length > 0)
    expect(newcomer.messages.peek()).toHaveLength(HISTORY_LIMIT)
    expect(newcomer.moreBefore.peek()).toBe(true)
    await newcomer.loadEarlier()
    expect(newcomer.messages.peek().map((m) => m.id)).toEqual(store.messages.peek().map((m) => m.id))
    expect(newcomer.moreBefore.peek()).toBe(false)
  })

  test('a drained node’s rebalance: the socket moves to another node and rejoins, and nobody flaps', async () => {
    const { roomId, a, b, aStore, bStore } = await anaAndBeaWithARoom()
    const aConn = a.open(roomId, aStore)
    const bConn = b.open(roomId, bStore)
    await waitFor('both connected', async () => aConn.status.peek() === 'connected' && bConn.status.peek() === 'connected')
    await waitFor(
      'both listed',
      async () => aStore.participants.peek().length === 2 && bStore.participants.peek().length === 2,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: Ana sees ${names(aStore.participants.peek())}, Bea sees ${names(bStore.participants.peek())}`,
      )
    })
    const home = aConn.node.peek()
    const victim = cluster.gateways.find((g) => g.nodeId === home)
    if (!victim) throw new Error(`no gateway ${home}`)

    const statuses: string[] = []
    const stop = aConn.status.subscribe((status) => statuses.push(status))
    const noticesBefore = [...a.notices]
    const startedAt = Date.now()
    await cluster.removeGateway(victim.index, { drain: true })
    await waitFor('Ana on another node', async () => aConn.status.peek() === 'connected' && aConn.node.peek() !== home, 10000)
    const movedMs = Date.now() - startedAt
    stop()
    expect(statuses).toContain('reconnecting')
    expect(bConn.node.peek()).not.toBe(home)
    expect(movedMs).toBeLessThan(8000)
    console.info(`web connection: rejoined on another node ${movedMs} ms after the drain began`)

    const after = await bConn.send('after the move', newClientId())
    expect(after.ok).toBe(true)
    await waitFor('Ana hears Bea after the move', async () => aStore.messages.peek().some((m) => m.text === 'after the move'))
    expect(names(aStore.participants.peek())).toEqual(['Ana', 'Bea'])
    // The rejoin came within the grace: no "left"/"joined" pair.
    expect(a.notices.slice(noticesBefore.length).filter((n) => /joined|left/.test(n))).toEqual([])
  })

  test('a refused token stops the connection and says so; an unknown room is refused', async () => {
    const ana = await register(cluster.url, 'Ana')
    const roomId = await createRoom(cluster.url, ana)
    const forged = appFor({ ...ana })
    const store = forged.newStore(roomId)
    // Same claims, wrong signature: the gateway must refuse it.
    const [header, claims] = ana.token.split('.')
    forged.session.current.value = { ...forged.session.current.peek()!, token: `${header}.${claims}.AAAA` }
    const conn = forged.open(roomId, store)
    await waitFor('refused', async () => forged.notices.includes('unauthorized'))
    expect(conn.status.peek()).toBe('offline')

    const real = appFor(ana)
    const nowhere = real.open('no-such-room-x1', real.newStore('no-such-room-x1'))
    await waitFor('unknown room refused', async () => real.notices.some((n) => n.startsWith('refused')))
    expect(real.notices).toContain('refused ROOM_NOT_FOUND')
    expect(nowhere.status.peek()).toBe('offline')
  })
})
