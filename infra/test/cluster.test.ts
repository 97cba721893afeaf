import { buildRing, homeOf, nextLive } from '@hangout/gateway/ring'
import { readFileSync } from 'node:fs'
import { type Cluster, startCluster } from '../src/cluster.js'
import { waitFor } from '../src/process.js'
import {
  type Client,
  connect,
  createRoom,
  join,
  register,
  say,
  type TestUser,
  testMongoUrl,
  dropDatabase,
} from '@hangout/testkit/clients'

const mongoUrl = testMongoUrl()
let cluster: Cluster
let owner: TestUser
const sockets: Client[] = []

function open(roomId: string, user: TestUser): Client {
  const socket = connect(cluster.url, roomId, user)
  sockets.push(socket)
  return socket
}

function ring() {
  return buildRing(cluster.gateways.map((g) => ({ id: g.nodeId, upstream: g.upstream })))
}

beforeAll(async () => {
  cluster = await startCluster({ gateways: 3, privateRedis: true, env: { MONGO_URL: mongoUrl, RATE_LIMIT_MAX: '1000' } })
  owner = await register(cluster.url)
})

afterAll(async () => {
  for (const socket of sockets) socket.disconnect()
  await cluster?.stop()
  await dropDatabase(mongoUrl)
})

describe('the cluster through its edge', () => {
  test('every socket of a room lands on the room’s home node, and rooms spread over all nodes', async () => {
    const rooms = await Promise.all(Array.from({ length: 24 }, () => createRoom(cluster.url, owner)))
    // Two members a room, and no user over the 20 sockets one may hold: four users, 12 sockets each.
    const members = [owner, ...(await Promise.all([1, 2, 3].map(() => register(cluster.url))))]
    const nodes = await Promise.all(
      rooms.map(async (roomId, i) => {
        const [first, second] = i < 12 ? [members[0], members[1]] : [members[2], members[3]]
        if (!first || !second) throw new Error('four members are needed')
        const [a, b] = await Promise.all([join(open(roomId, first), roomId), join(open(roomId, second), roomId)])
        expect(a.node).toBe(b.node)
        expect(a.node).toBe(homeOf(ring(), roomId))
        return a.node
      }),
    )
    expect(new Set(nodes)).toEqual(new Set(cluster.gateways.map((g) => g.nodeId)))
    for (const socket of sockets.splice(0)) socket.disconnect()
  })

  test('every gateway answers GET /ring/:roomId with the room’s home, and shows sockets away from home', async () => {
    const roomId = await createRoom(cluster.url, owner)
    // A node acts on a new node set once two censuses (a heartbeat apart) agree: right after start-up
    // the last gateway up may not be on every ring yet.
    for (const g of cluster.gateways) {
      const answer = async () => (await (await fetch(`${g.url}/ring/${roomId}`)).json()) as { roomId: string; node: string }
      await waitFor(`${g.nodeId} knows every node`, async () => (await answer()).node === homeOf(ring(), roomId), 5000, 100)
      expect(await answer()).toEqual({ roomId, node: homeOf(ring(), roomId) })
    }
    const gateway = cluster.gateways[0]
    const bad = await fetch(`${gateway?.url}/ring/${encodeURIComponent('no spaces!')}`)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED')
    const metrics = await (await fetch(`${gateway?.url}/metrics`)).text()
    expect(metrics).toMatch(/^hangout_gateway_sockets_away_from_home\{node="node-1"\} 0$/m)
  })

  test('the sockets of a killed node’s room reconnect through the edge to the next node on the ring', async () => {
    const victim = cluster.gateway(2)
    let roomId = ''
    while (!roomId) {
      const candidate = await createRoom(cluster.url, owner)
      if (homeOf(ring(), candidate) === victim.nodeId) roomId = candidate
    }
    const next = nextLive(ring(), roomId, (id) => id !== victim.nodeId)
    const other = await register(cluster.url)
    const a = open(roomId, owner)
    const b = open(roomId, other)
    expect((await join(a, roomId)).node).toBe(victim.nodeId)
    expect((await join(b, roomId)).node).toBe(victim.nodeId)
    await say(a, roomId, 'before the crash')

    const rejoined = [a, b].map(
      (socket) =>
        new Promise<string>((resolve, reject) => {
          socket.io.once('reconnect', () => join(socket, roomId).then((ack) => resolve(ack.node), reject))
        }),
    )
    const killedAt = Date.now()
    await cluster.killGateway(2)
    expect(await Promise.all(rejoined)).toEqual([next, next])
    const reconnectMs = Date.now() - killedAt
    expect(reconnectMs).toBeLessThan(5000)

    const ack = await join(a, roomId)
    expect(ack.history.map((m) => m.text)).toContain('before the crash')
    const heard = new Promise<string>((resolve) => b.once('message', (m) => resolve(m.text)))
    await say(a, roomId, 'after the crash')
    expect(await heard).toBe('after the crash')
    await cluster.restartGateway(2)
  })

  test('a frozen gateway (kill -STOP) leaves the edge’s upstream within seconds, and is back once it answers', async () => {
    const victim = cluster.gateway(3)
    const pid = victim.process?.pid
    if (!pid) throw new Error('gateway 3 has no process')
    const full = ring()
    const homedOnVictim = async () => {
      for (;;) {
        const candidate = await createRoom(cluster.url, owner)
        if (homeOf(full, candidate) === victim.nodeId) return candidate
      }
    }
    const roomId = await homedOnVictim()
    expect(cluster.unresponsive.size).toBe(0)

    process.kill(pid, 'SIGSTOP')
    const frozenAt = Date.now()
    try {
      await waitFor('gateway 3 out of the upstream', async () => cluster.unresponsive.has(3), 10_000)
      const outMs = Date.now() - frozenAt
      expect(outMs).toBeGreaterThanOrEqual(1500)
      expect(outMs).toBeLessThan(7000)
      const conf = readFileSync(cluster.edge.confFile, 'utf8')
      expect(conf).not.toContain(`server ${victim.upstream} `)
      // A new socket of its room is served elsewhere at once, not held by the frozen node.
      const joinedAt = Date.now()
      const ack = await join(open(roomId, owner), roomId)
      expect(ack.node).toBe(nextLive(full, roomId, (id) => id !== victim.nodeId))
      expect(Date.now() - joinedAt).toBeLessThan(5000)
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    await waitFor('gateway 3 back in the upstream', async () => cluster.unresponsive.size === 0, 10_000)
    expect(readFileSync(cluster.edge.confFile, 'utf8')).toContain(`server ${victim.upstream} `)
    const again = await homedOnVictim()
    expect((await join(open(again, owner), again)).node).toBe(victim.nodeId)
  })
})
