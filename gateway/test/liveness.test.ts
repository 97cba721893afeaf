import { freePort, type ManagedProcess } from '@hangout/testkit/process'
import { startRedis } from '@hangout/testkit/services'
import type { PublicUser } from '@hangout/protocol'
import { RedisKeys } from '@hangout/store'
import { Redis } from 'ioredis'
import { everyHeartbeatKey } from '../src/cluster/heartbeat-keys.js'
import { type LiveNode, Liveness } from '../src/cluster/liveness.js'
import { Presence } from '../src/presence/presence.js'
import { until } from '@hangout/testkit/gateway-cluster'

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

  function node(
    id: string,
    reaped: { roomId: string; left: PublicUser[] }[] = [],
    hooks: { onReapedAlive?: () => Promise<void>; reaperPresence?: (redis: Redis) => Presence; incarnation?: string } = {},
  ) {
    const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null })
    redis.on('error', () => undefined)
    clients.push(redis)
    const presence = new Presence(redis, id, hooks.incarnation)
    const liveness = new Liveness(redis, hooks.reaperPresence?.(redis) ?? presence, {
      nodeId: id,
      upstream: `127.0.0.1:${id}`,
      heartbeatMs: 100,
      nodeTtlMs: 500,
      onReaped: (roomId, left) => reaped.push({ roomId, left }),
      onForgotten: async () => undefined,
      onReapedAlive: hooks.onReapedAlive ?? (async () => undefined),
      onError: () => undefined,
    })
    nodes.push(liveness)
    return { redis, liveness, presence }
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
    for (const key of everyHeartbeatKey('d-b')) await a.redis.pexpire(key, 300)
    for (const key of everyHeartbeatKey('d-c')) await a.redis.pexpire(key, 380)
    await until('both expired', () => changes.at(-1)?.length === 1, 5000)
    await new Promise((r) => setTimeout(r, 300))
    expect(changes.slice(seen)).toEqual([['d-a']])
  })

  test('a node that restarts while a survivor reaps its old run learns it was reaped, and sends its sockets to rejoin', async () => {
    // Only this test's nodes on the Redis, so that the survivor below is the one that reaps.
    for (const earlier of nodes.splice(0)) await earlier.stop().catch(() => undefined)
    const room = 'd9-room'
    const old = node('d9-a')
    await old.liveness.start()
    await old.presence.join(room, { id: 'old', name: 'Old' })
    old.redis.disconnect()
    const admin = new Redis(url)
    clients.push(admin)
    // Its heartbeat expired: it is dead (one key a command: on a cluster-mode Redis they are in other slots).
    for (const key of everyHeartbeatKey('d9-a')) await admin.del(key)

    // The restart lands inside the survivor's reap: after its lock and heartbeat check, before it removes the fields.
    let restarted: ReturnType<typeof node> | undefined
    let toldToRejoin = 0
    const survivor = node('d9-b', [], {
      reaperPresence: (redis) => {
        const presence = new Presence(redis, 'd9-b')
        const reap = presence.reap.bind(presence)
        presence.reap = async (roomId, nodeId) => {
          if (nodeId === 'd9-a' && restarted === undefined) {
            restarted = node('d9-a', [], {
              onReapedAlive: async () => {
                toldToRejoin++
                await restarted?.liveness.reapOwn()
              },
            })
            await restarted.liveness.start()
            await restarted.presence.join(room, { id: 'new', name: 'New' })
          }
          return reap(roomId, nodeId)
        }
        return presence
      },
    })
    await survivor.liveness.start()
    expect(restarted).toBeDefined()
    // The reap took the restarted node's first join; only the mark can tell it.
    expect(await admin.hkeys(RedisKeys.presence(room))).toEqual([])
    await until('the restarted node learnt it was reaped', () => toldToRejoin > 0, 2000)
    await new Promise((r) => setTimeout(r, 300))
    expect(toldToRejoin).toBe(1)
    expect(await admin.exists(RedisKeys.nodeReaper('d9-a'))).toBe(0)
    expect((await survivor.liveness.liveNodes()).map((n) => n.id)).toEqual(['d9-a', 'd9-b'])
  })

  test('with incarnations, a survivor reaping a dead life leaves the new life of the same node id alone', async () => {
    for (const earlier of nodes.splice(0)) await earlier.stop().catch(() => undefined)
    const room = 'inc-room'
    const old = node('inc-a', [], { incarnation: 'life1' })
    await old.liveness.start()
    await old.presence.join(room, { id: 'old', name: 'Old' })
    old.redis.disconnect()
    const admin = new Redis(url)
    clients.push(admin)
    // Its heartbeat expired: it is dead (one key a command: on a cluster-mode Redis they are in other slots).
    for (const key of everyHeartbeatKey('inc-a')) await admin.del(key)

    // The same race as above: the new life starts after the survivor's lock and heartbeat check.
    let restarted: ReturnType<typeof node> | undefined
    let toldToRejoin = 0
    const reapedBySurvivor: { roomId: string; left: PublicUser[] }[] = []
    const survivor = node('inc-b', reapedBySurvivor, {
      reaperPresence: (redis) => {
        const presence = new Presence(redis, 'inc-b', 'life-b')
        const reap = presence.reap.bind(presence)
        presence.reap = async (roomId, nodeId, scope) => {
          if (nodeId === 'inc-a' && restarted === undefined) {
            restarted = node('inc-a', [], {
              incarnation: 'life2',
              onReapedAlive: async () => {
                toldToRejoin++
              },
            })
            await restarted.liveness.start()
            await restarted.presence.join(room, { id: 'new', name: 'New' })
          }
          return reap(roomId, nodeId, scope)
        }
        return presence
      },
    })
    await survivor.liveness.start()
    expect(restarted).toBeDefined()
    // The dead life's field went (the new life's start removed it, so the survivor found nothing left); the new life's join stays.
    expect(await admin.hkeys(RedisKeys.presence(room))).toEqual(['new|inc-a#life2'])
    expect(reapedBySurvivor.flatMap((r) => r.left.map((u) => u.id))).toEqual([])
    // The mark names the dead life: the new one clears it and does not send its sockets away.
    await waitForNoMark(admin, 'inc-a')
    expect(toldToRejoin).toBe(0)
    expect(await admin.hkeys(RedisKeys.presence(room))).toEqual(['new|inc-a#life2'])
  })
})

async function waitForNoMark(redis: Redis, nodeId: string): Promise<void> {
  const until = Date.now() + 5000
  while ((await redis.exists(RedisKeys.nodeReaper(nodeId))) === 1) {
    if (Date.now() > until) throw new Error(`the reaper's mark of ${nodeId} stayed`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
