import { RedisKeys } from '@hangout/store'
import { until, user } from '@hangout/testkit/gateway-cluster'
import { crossNodeEvents } from './scenarios.js'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// Three nodes on a Redis in cluster mode, which refuses any command, transaction or script that
// spans two hash slots: the design's Redis Cluster claim, checked with real processes.
const suite = gatewaySuite({ nodes: 3, env: { GRACE_MS: '1000' }, redisServer: { clusterMode: true } })
const { cluster } = suite

test('chat and sync events cross nodes on a cluster-mode Redis', () => crossNodeEvents(cluster))

test('a node’s room set loses a room when its last participant there leaves, and only then', async () => {
  const node = cluster.node(0)
  const roomId = await cluster.createRoom()
  const rooms = () => suite.redis.smembers(RedisKeys.nodeRooms(node.id))
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
  expect(await suite.redis.hkeys(RedisKeys.presence(roomId))).toEqual([])

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
