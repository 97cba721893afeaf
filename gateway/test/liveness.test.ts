import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { startRedis } from '@hangout/infra/services'
import { type PublicUser, RedisKeys } from '@hangout/protocol'
import { Redis } from 'ioredis'
import { type LiveNode, Liveness } from '../src/liveness.js'
import { Presence } from '../src/presence.js'
import { until } from './helpers.js'

// In-process nodes on a private Redis: the hook the ring and rebalancing build on. Also on a
// cluster-mode Redis, which refuses any command, transaction or script spanning two hash slots.
describe.each([
  ['standalone', false],
  ['Redis Cluster mode', true],
])('liveness on %s Redis', (_mode, clusterMode) => {
  let redisServer: ManagedProcess
  let url = ''
  const clients: Redis[] = []
  const nodes: Liveness[] = []

  beforeAll(async () => {
    const port = await freePort()
    redisServer = await startRedis(port, undefined, { clusterMode })
    url = `redis://127.0.0.1:${port}`
  })

  afterAll(async () => {
    for (const node of nodes) await node.stop().catch(() => undefined)
    for (const client of clients) client.disconnect()
    await redisServer.kill()
  })

  function node(id: string, reaped: { roomId: string; left: PublicUser[] }[] = []) {
    const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null })
    redis.on('error', () => undefined)
    clients.push(redis)
    const liveness = new Liveness(redis, new Presence(redis, id), {
      nodeId: id,
      upstream: `127.0.0.1:${id}`,
      heartbeatMs: 100,
      nodeTtlMs: 500,
      onReaped: (roomId, left) => reaped.push({ roomId, left }),
      onForgotten: async () => undefined,
      onReapedAlive: async () => undefined,
      onError: () => undefined,
    })
    nodes.push(liveness)
    return { redis, liveness, presence: new Presence(redis, id) }
  }

  test('onNodeSetChange follows joins, clean leaves and deaths; one survivor reaps the dead node', async () => {
    const changes: string[][] = []
    const reapedByA: { roomId: string; left: PublicUser[] }[] = []
    const reapedByB: { roomId: string; left: PublicUser[] }[] = []
    const a = node('a', reapedByA)
    a.liveness.onNodeSetChange((live: LiveNode[]) => changes.push(live.map((n) => n.id)))
    await a.liveness.start()
    expect(changes).toEqual([['a']])

    const b = node('b', reapedByB)
    await b.liveness.start()
    await until('a sees b', () => changes.length === 2)
    expect(changes[1]).toEqual(['a', 'b'])
    expect(await a.liveness.liveNodes()).toEqual([
      { id: 'a', upstream: '127.0.0.1:a' },
      { id: 'b', upstream: '127.0.0.1:b' },
    ])

    const c = node('c')
    await c.liveness.start()
    await c.presence.join('r1', { id: 'u1', name: 'U1' })
    await until('a sees c', () => changes.length === 3)
    c.redis.disconnect() // c dies: no more heartbeats, nobody cleans up
    await until('c expired and was reaped', () => changes.length === 4 && reapedByA.length + reapedByB.length === 1, 5000)
    expect(changes[3]).toEqual(['a', 'b'])
    expect([...reapedByA, ...reapedByB]).toEqual([{ roomId: 'r1', left: [{ id: 'u1', name: 'U1' }] }])
    expect(await a.redis.hkeys(RedisKeys.presence('r1'))).toEqual([])

    await b.liveness.stop()
    await until('b left cleanly', () => changes.length === 5)
    expect(changes[4]).toEqual(['a'])
  })

  test('nodes that die together, their heartbeats expiring apart, change the live set once', async () => {
    const changes: string[][] = []
    const a = node('d-a')
    // Only this test's nodes: the first test's node a is still alive on this Redis.
    a.liveness.onNodeSetChange((live: LiveNode[]) => changes.push(live.map((n) => n.id).filter((id) => id.startsWith('d-'))))
    await a.liveness.start()
    const [b, c] = [node('d-b'), node('d-c')]
    await b.liveness.start()
    await new Promise((r) => setTimeout(r, 50))
    await c.liveness.start()
    await until('a sees both', () => changes.at(-1)?.length === 3)
    const seen = changes.length
    b.redis.disconnect()
    c.redis.disconnect()
    // Their last heartbeats 80 ms apart (under one 100 ms beat): a census may fall between the expiries.
    await a.redis.pexpire(RedisKeys.nodeHeartbeat('d-b'), 300)
    await a.redis.pexpire(RedisKeys.nodeHeartbeat('d-c'), 380)
    await until('both expired', () => changes.at(-1)?.length === 1, 5000)
    await new Promise((r) => setTimeout(r, 300))
    expect(changes.slice(seen)).toEqual([['d-a']])
  })
})
