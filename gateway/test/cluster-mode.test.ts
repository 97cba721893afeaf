import { RedisKeys } from '@hangout/protocol'
import { Redis } from 'ioredis'
import { Cluster, until, user } from './helpers.js'
import { crossNodeEvents } from './scenarios.js'

// Three nodes on a Redis in cluster mode, which refuses any command, transaction or script that
// spans two hash slots: the design's Redis Cluster claim, checked with real processes.
const cluster = new Cluster({ GRACE_MS: '1000' })
let redis: Redis

beforeAll(async () => {
  await cluster.start(3, { clusterMode: true })
  redis = new Redis(cluster.redisUrl)
}, 120_000)
afterAll(async () => {
  redis.disconnect()
  await cluster.stop()
})

test('chat and sync events cross nodes on a cluster-mode Redis', () => crossNodeEvents(cluster))

test('a node’s room set loses a room when its last participant there leaves, and only then', async () => {
  const node = cluster.node(0)
  const roomId = await cluster.createRoom()
  const rooms = () => redis.smembers(RedisKeys.nodeRooms(node.id))
  const [ann, bob] = [user('Ann'), user('Bob')]
  const a = await cluster.join(node, ann, roomId)
  const b = await cluster.join(node, bob, roomId)
  expect(await rooms()).toContain(roomId)

  expect(await a.socket.emitWithAck('leave_room', { roomId })).toEqual({ ok: true })
  expect(await rooms()).toContain(roomId)

  // Bob's last socket goes: the room leaves the set when his grace ends, with his presence.
  b.socket.disconnect()
  let left = false
  await until('the room left the node’s set', () => {
    rooms().then((members) => {
      left = !members.includes(roomId)
    })
    return left
  })
  expect(await redis.hkeys(RedisKeys.presence(roomId))).toEqual([])

  // Rejoining puts it back; a leave that empties the room here racing a join keeps it in the set.
  const c = await cluster.join(node, user('Cat'), roomId)
  expect(await rooms()).toContain(roomId)
  for (let i = 0; i < 4; i++) {
    const [leaveAck, joinAck] = await Promise.all([
      c.socket.emitWithAck('leave_room', { roomId }),
      c.socket.emitWithAck('join_room', { roomId }),
    ])
    expect(leaveAck).toEqual({ ok: true })
    expect(joinAck).toMatchObject({ ok: true })
    expect(await rooms()).toContain(roomId)
  }
  expect(await rooms()).toContain(roomId)
  expect(await c.socket.emitWithAck('leave_room', { roomId })).toEqual({ ok: true })
  expect(await rooms()).not.toContain(roomId)
})
