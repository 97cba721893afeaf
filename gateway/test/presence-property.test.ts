import { startApi } from '@hangout/testkit/launch'
import { freePort, type ManagedProcess, waitFor } from '@hangout/testkit/process'
import { type JoinRoomAck, type PublicUser, Routes, type RoomsResponse } from '@hangout/protocol'
import { RedisKeys, membershipsStore } from '@hangout/store'
import fc from 'fast-check'
import { type Client, type Node, signToken, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

/*
 * Random interleavings of joins, leaves, disconnects, reconnects, Redis command failures, kill -9
 * and SIGTERM of a node, across three real gateway processes. Once the graces and the TTL have
 * passed, presence equals the sockets really connected: in Redis, in every node's `participants`,
 * in the API's GET /rooms `online`, and in the view of every client still in the room (its join's
 * `participants` with the `user_joined`/`user_leaved` it received since applied in order).
 */
const GRACE_MS = 500
const HEARTBEAT_MS = 500
const NODE_TTL_MS = 4000
/** Within the contract: a dead node's users leave within 10 s, a disconnect's after a grace ≤ 5 s. */
const CONVERGE_MS = 10_000 + GRACE_MS

let api: ManagedProcess
// Declared before the suite's cluster, so that the API stops before the Redis it uses.
afterAll(() => api?.kill())
const suite = gatewaySuite({
  nodes: 3,
  env: { GRACE_MS: String(GRACE_MS), HEARTBEAT_MS: String(HEARTBEAT_MS), NODE_TTL_MS: String(NODE_TTL_MS) },
  redisClient: { maxRetriesPerRequest: null },
})
const { cluster } = suite
let apiPort = 0
const apiUser = user('Lister')

beforeAll(async () => {
  suite.redis.on('error', () => undefined)
  apiPort = await freePort()
  api = await startApi({
    port: apiPort,
    env: { REDIS_URL: cluster.redisUrl, MONGO_URL: cluster.mongoUrl, RATE_LIMIT_MAX: '100000' },
  })
  await cluster.addUser(apiUser)
}, 120_000)

/** One client socket, as the model knows it. */
interface Tab {
  who: PublicUser
  socket: Client
  /** Acked into the room, not since left or disconnected. */
  joined: boolean
  snapshot: string[]
  events: { joined: boolean; userId: string }[]
  eventsAtJoin: number
}

type Action =
  | { kind: 'join'; userIndex: number; nodeIndex: number }
  | { kind: 'leave' | 'disconnect' | 'rejoin' | 'quickPair'; tabIndex: number }
  | { kind: 'kill9' | 'sigterm'; nodeIndex: number }
  | { kind: 'redisKill' | 'redisPause' }

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('join' as const), userIndex: fc.nat(3), nodeIndex: fc.nat(2) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('leave' as const, 'disconnect' as const, 'rejoin' as const, 'quickPair' as const),
      tabIndex: fc.nat(20),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('kill9' as const, 'sigterm' as const), nodeIndex: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('redisKill' as const, 'redisPause' as const) }) },
)

async function openTab(who: PublicUser, node: Node, roomId: string, tabs: Tab[]): Promise<Tab | undefined> {
  const socket = await cluster.connect(node, signToken(who), roomId).catch(() => undefined)
  if (!socket) return undefined
  const tab: Tab = { who, socket, joined: false, snapshot: [], events: [], eventsAtJoin: 0 }
  socket.on('user_joined', (e) => tab.events.push({ joined: true, userId: e.user.id }))
  socket.on('user_leaved', (e) => tab.events.push({ joined: false, userId: e.user.id }))
  socket.on('disconnect', () => {
    tab.joined = false
  })
  tabs.push(tab)
  return tab
}

async function join(tab: Tab, roomId: string): Promise<void> {
  const at = tab.events.length
  const ack = (await tab.socket
    .timeout(8000)
    .emitWithAck('join_room', { roomId })
    .catch(() => undefined)) as JoinRoomAck | undefined
  if (ack?.ok && tab.socket.connected) {
    tab.joined = true
    tab.snapshot = ack.participants.map((p) => p.id)
    tab.eventsAtJoin = at
  }
}

async function leave(tab: Tab, roomId: string): Promise<void> {
  await tab.socket
    .timeout(8000)
    .emitWithAck('leave_room', { roomId })
    .catch(() => undefined)
  // A leave is in effect on the node once sent, whatever its ack (a timeout, a lost connection).
  tab.joined = false
}

/** A node killed or drained is started again on its port (the same node id: its restart purges its earlier life). */
async function restart(index: number, how: 'kill9' | 'sigterm'): Promise<void> {
  const node = cluster.node(index)
  if (how === 'kill9') await node.proc.kill()
  else {
    node.proc.signal('SIGTERM')
    await waitFor('the drained node exits', async () => !node.proc.running, GRACE_MS + 10_000)
  }
  cluster.nodes.splice(index, 1)
  const again = await cluster.addNode(node.port)
  cluster.nodes.splice(cluster.nodes.indexOf(again), 1)
  cluster.nodes.splice(index, 0, again)
}

async function run(roomId: string, people: PublicUser[], actions: Action[], tabs: Tab[]): Promise<void> {
  for (const a of actions) {
    const tab = 'tabIndex' in a ? tabs[a.tabIndex % Math.max(tabs.length, 1)] : undefined
    switch (a.kind) {
      case 'join': {
        const opened = await openTab(people[a.userIndex]!, cluster.node(a.nodeIndex), roomId, tabs)
        if (opened) await join(opened, roomId)
        break
      }
      case 'leave':
        if (tab?.joined) await leave(tab, roomId)
        break
      case 'rejoin':
        if (tab?.socket.connected && !tab.joined) await join(tab, roomId)
        break
      case 'quickPair':
        if (tab?.joined) {
          await Promise.all([leave(tab, roomId), join(tab, roomId)])
        }
        break
      case 'disconnect':
        tab?.socket.disconnect()
        if (tab) tab.joined = false
        break
      case 'kill9':
      case 'sigterm':
        await restart(a.nodeIndex, a.kind)
        break
      case 'redisKill':
        await suite.redis.call('CLIENT', 'KILL', 'TYPE', 'normal').catch(() => undefined)
        break
      case 'redisPause':
        // Past the gateways' 2 s command timeout, inside their 4 s heartbeat TTL (a pause past the TTL is reaped-alive.test.ts's case).
        await suite.redis.call('CLIENT', 'PAUSE', '2200', 'WRITE')
        break
    }
  }
}

function truth(tabs: Tab[]): string[] {
  return [...new Set(tabs.filter((t) => t.joined && t.socket.connected).map((t) => t.who.id))].sort()
}

function viewOf(tab: Tab): string[] {
  const view = new Set(tab.snapshot)
  for (const e of tab.events.slice(tab.eventsAtJoin)) {
    if (e.joined) view.add(e.userId)
    else view.delete(e.userId)
  }
  return [...view].sort()
}

async function redisOnline(roomId: string): Promise<string[]> {
  const fields = await suite.redis.hkeys(RedisKeys.presence(roomId))
  return [...new Set(fields.map((f) => f.slice(0, f.lastIndexOf('|'))))].sort()
}

async function apiOnline(roomId: string): Promise<number | undefined> {
  const response = await fetch(`http://127.0.0.1:${apiPort}${Routes.listRooms}`, {
    headers: { authorization: `Bearer ${signToken(apiUser)}` },
  })
  // Right after a CLIENT KILL the API's own Redis connection may still be coming back.
  if (response.status !== 200) return undefined
  const body = (await response.json()) as RoomsResponse
  return body.rooms.find((r) => r.id === roomId)?.online
}

test('presence converges to the sockets really connected, whatever the interleaving', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 4, maxLength: 12 }), async (actions) => {
      const roomId = await cluster.createRoom()
      // GET /rooms lists the caller's rooms: the API's reader joins this one by its link.
      await membershipsStore(cluster.db).record(apiUser.id, roomId)
      const people = Array.from({ length: 4 }, (_, i) => user(`P${i}`))
      await Promise.all(people.map((p) => cluster.addUser(p)))
      const tabs: Tab[] = []
      try {
        await run(roomId, people, actions, tabs)
        // A write waits out any CLIENT PAUSE still in effect: the checks below start once Redis takes writes again.
        await suite.redis.set(`hg:test:{${roomId}}:unpaused`, 1, 'PX', 1000)
        // The truth is read at each poll: a node reaped while alive (a pause past its TTL) may still send its sockets away.
        let expected: string[] = []
        await waitFor(
          'Redis presence and GET /rooms online equal the connected sockets',
          async () => {
            expected = truth(tabs)
            if (JSON.stringify(await redisOnline(roomId)) !== JSON.stringify(expected)) return false
            return (await apiOnline(roomId)) === expected.length
          },
          CONVERGE_MS,
          100,
        ).catch(async () => {
          const online = await apiOnline(roomId)
          throw new Error(
            `presence ${JSON.stringify(await redisOnline(roomId))}, API online ${online}, connected ${JSON.stringify(truth(tabs))}`,
          )
        })
        for (const tab of tabs.filter((t) => t.joined && t.socket.connected)) expect(viewOf(tab)).toEqual(expected)
        // Every node answers the same participants (the probes, each a user of its own, aside).
        const probes = cluster.nodes.map(() => user('Probe'))
        const probeIds = new Set(probes.map((p) => p.id))
        for (const [i, node] of cluster.nodes.entries()) {
          const { socket, ack } = await cluster.join(node, probes[i]!, roomId)
          tabs.push({ who: probes[i]!, socket, joined: false, snapshot: [], events: [], eventsAtJoin: 0 })
          expect(
            ack.participants
              .map((p) => p.id)
              .filter((id) => !probeIds.has(id))
              .sort(),
          ).toEqual(expected)
        }
      } finally {
        for (const tab of tabs) tab.socket.disconnect()
      }
    }),
    { numRuns: 4, endOnFailure: true, ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}) },
  )
}, 300_000)
