import { freePort, type ManagedProcess } from '@hangout/testkit/process'
import { startRedis } from '@hangout/testkit/services'
import { RedisKeys } from '@hangout/store'
import { Redis } from 'ioredis'
import { Presence } from '../src/presence/presence.js'
import { RoomMemory } from '../src/room/room-memory.js'
import { randomId } from '@hangout/testkit/gateway-cluster'

describe.each([
  ['standalone', false],
  ['Redis Cluster mode', true],
])('presence restore on %s Redis', (_mode, clusterMode) => {
  let server: ManagedProcess
  let redis: Redis

  beforeAll(async () => {
    const port = await freePort()
    server = await startRedis(port, undefined, { clusterMode })
    redis = new Redis(port, '127.0.0.1')
  })
  afterAll(async () => {
    redis.disconnect()
    await server.kill()
  })

  test('writes the node’s presence and last known state back, never over a newer value', async () => {
    const [roomId, otherRoom] = [randomId('room'), randomId('room')]
    const memory = new RoomMemory()
    memory.track(roomId)
    memory.seed(roomId, { page: 1, top: 0, highlights: {} })
    memory.page(roomId, 3)
    memory.top(roomId, 0.4)
    memory.highlight(roomId, 'u1', 5)
    memory.highlight(roomId, 'u2', 6)
    memory.left(roomId, 'u2')
    // Written by another node after Redis came back, before this node restored: it is newer.
    await redis.hset(RedisKeys.state(roomId), 'page', 2)

    const presence = new Presence(redis, 'n1')
    const rooms = new Map([
      [roomId, new Map([['u1', { name: 'U1', sockets: 2 }]])],
      [otherRoom, new Map([['u3', { name: 'U3', sockets: 1 }]])],
    ])
    await presence.restore(rooms, (id) => memory.fields(id))

    expect(await redis.hgetall(RedisKeys.state(roomId))).toEqual({ page: '2', top: '0.4', 'hl:u1': '5' })
    expect(await redis.hgetall(RedisKeys.presence(roomId))).toEqual({ 'u1|n1': '2' })
    expect(await redis.hgetall(RedisKeys.names(roomId))).toEqual({ u1: 'U1' })
    expect(await redis.hgetall(RedisKeys.state(otherRoom))).toEqual({})
    expect((await redis.smembers(RedisKeys.nodeRooms('n1'))).sort()).toEqual([roomId, otherRoom].sort())
  })
})
