import { freePort, waitFor } from '@hangout/testkit/process'
import { nodeOfPresenceField, presenceField, RedisKeys, userOfPresenceField } from '@hangout/store'
import { collect, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

/**
 * Rooms of the earlier run's presence: enough that removing them takes the new run well past the
 * moment a socket could join if the port opened first (each room is one script round trip).
 */
const STALE_ROOMS = 10_000

const suite = gatewaySuite({ nodes: 1 })
const { cluster } = suite

test('a restarted node clears its earlier run’s presence before it takes a socket, so the first joins stay (D9)', async () => {
  const port = await freePort()
  const nodeId = `${cluster.prefix}-${port}`
  const roomId = await cluster.createRoom()
  // The earlier run of this node id died with a ghost in the room and in many others.
  const ghost = user('Ghost')
  const staleRooms = Array.from({ length: STALE_ROOMS }, (_, i) => `stale-${i}`)
  const seed = suite.redis.pipeline()
  for (const id of [roomId, ...staleRooms]) {
    seed.hset(RedisKeys.presence(id), presenceField(ghost.id, nodeId), 1)
    seed.hset(RedisKeys.names(id), ghost.id, ghost.name)
  }
  seed.sadd(RedisKeys.nodeRooms(nodeId), roomId, ...staleRooms)
  await seed.exec()

  // Joined the moment the node answers.
  const node = await cluster.addNode(port)
  const first = user('First')
  const { ack } = await cluster.join(node, first, roomId)
  expect(ack.participants.map((p) => p.id)).toEqual([first.id])

  // Once every stale room is gone, the first join is still counted, and its room is still in the
  // node's set, where a reaper of this node would look for it.
  await waitFor(
    'the earlier run’s presence removed',
    async () => (await suite.redis.exists(...staleRooms.map((id) => RedisKeys.presence(id)))) === 0,
    30_000,
  )
  const fields = Object.entries(await suite.redis.hgetall(RedisKeys.presence(roomId)))
  expect(fields.map(([f, sockets]) => [userOfPresenceField(f), nodeOfPresenceField(f), sockets])).toEqual([
    [first.id, nodeId, '1'],
  ])
  expect(await suite.redis.smembers(RedisKeys.nodeRooms(nodeId))).toEqual([roomId])
}, 90_000)

test('kill -9, then the same node id at once: its earlier life’s users leave the lists at once, its new sockets stay', async () => {
  const roomId = await cluster.createRoom()
  const observer = await cluster.join(cluster.node(0), user('Observer'), roomId)
  const leaved = collect(observer.socket, 'user_leaved')
  const port = await freePort()
  const first = await cluster.addNode(port)
  const before = user('Before')
  await cluster.join(first, before, roomId)
  const [oldField] = (await suite.redis.hkeys(RedisKeys.presence(roomId))).filter((f) => userOfPresenceField(f) === before.id)

  await first.proc.kill()
  const killedAt = Date.now()
  // No survivor may reap the dead life while this runs (its heartbeat outlives the test): only the restart can purge it.
  await suite.redis.pexpire(RedisKeys.nodeHeartbeat(first.id), 600_000)
  const second = await cluster.addNode(port)
  const after = user('After')
  const { ack } = await cluster.join(second, after, roomId)
  const listedMs = Date.now() - killedAt
  // Before any TTL could end, nothing of the earlier life is listed.
  expect(ack.participants.map((p) => p.id).sort()).toEqual([observer.ack.participants[0]?.id, after.id].sort())
  const fields = await suite.redis.hkeys(RedisKeys.presence(roomId))
  expect(fields).not.toContain(oldField)
  expect(fields.filter((f) => nodeOfPresenceField(f) === second.id).map(userOfPresenceField)).toEqual([after.id])
  // The new life wrote under another incarnation: the field of its user is not the earlier life's spelling.
  expect(fields.find((f) => userOfPresenceField(f) === after.id)).not.toBe(presenceField(after.id, second.id))
  await until('the observer told', () => leaved.some((e) => e.user.id === before.id))
  const observerAgain = await cluster.join(cluster.node(0), user('Late'), roomId)
  expect(observerAgain.ack.participants.map((p) => p.id)).not.toContain(before.id)
  expect(observerAgain.ack.participants.map((p) => p.id)).toContain(after.id)
  console.log(`kill -9 → the same node id serving again with the earlier life purged: ${listedMs} ms`)
}, 90_000)
