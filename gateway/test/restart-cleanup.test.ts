import { freePort, waitFor } from '@hangout/infra/process'
import { presenceField, RedisKeys } from '@hangout/protocol'
import { Redis } from 'ioredis'
import { Cluster, user } from './helpers.js'

/**
 * Rooms of the earlier run's presence: enough that removing them takes the new run well past the
 * moment a socket could join if the port opened first (each room is one script round trip).
 */
const STALE_ROOMS = 10_000

const cluster = new Cluster()
let redis: Redis

beforeAll(async () => {
  await cluster.start(0)
  redis = new Redis(cluster.redisUrl)
}, 120_000)
afterAll(async () => {
  redis?.disconnect()
  await cluster.stop()
})

test('a restarted node clears its earlier run’s presence before it takes a socket, so the first joins stay (D9)', async () => {
  const port = await freePort()
  const nodeId = `${cluster.prefix}-${port}`
  const roomId = await cluster.createRoom()
  // The earlier run of this node id died with a ghost in the room and in many others.
  const ghost = user('Ghost')
  const staleRooms = Array.from({ length: STALE_ROOMS }, (_, i) => `stale-${i}`)
  const seed = redis.pipeline()
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
    async () => (await redis.exists(...staleRooms.map((id) => RedisKeys.presence(id)))) === 0,
    30_000,
  )
  expect(await redis.hgetall(RedisKeys.presence(roomId))).toEqual({ [presenceField(first.id, nodeId)]: '1' })
  expect(await redis.smembers(RedisKeys.nodeRooms(nodeId))).toEqual([roomId])
}, 90_000)
