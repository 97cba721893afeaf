import { type RedisClient, createRedisClient, redisTarget } from '@hangout/runtime'
import { RedisKeys } from '@hangout/store'
import { Cluster, collect, sleep, user } from '@hangout/testkit/gateway-cluster'
import { masterOf } from '@hangout/testkit/redis-cluster'
import { heartbeatKeys } from '../src/cluster/heartbeat-keys.js'

// A node's own keys (heartbeat, room set, reaper's mark) share the `{nodeId}` slot, so they sit on
// one shard. Here that shard's master is killed and its failover (the cluster's node timeout, then an
// election: seconds) outlasts the node's TTL, so that its promoted replica holds an expired
// heartbeat. The node must not be taken for dead: its heartbeat's mirror, on another shard, is still
// written (heartbeat-keys.ts). Without it the other node reaps it alive: its user is announced gone,
// and every socket of it is sent away to reconnect.
const TTL_MS = 2000
const cluster = new Cluster({ GRACE_MS: '1000', HEARTBEAT_MS: '500', NODE_TTL_MS: String(TTL_MS) })
let redis: RedisClient

beforeAll(async () => {
  await cluster.startOnRedisCluster(2)
  redis = createRedisClient(redisTarget('', cluster.redisCluster?.seeds), { maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  await redis.connect()
}, 120_000)
afterAll(async () => {
  redis?.disconnect()
  await cluster.stop()
})

test("a failover of the shard that holds a node's heartbeat, longer than its TTL, reaps nobody", async () => {
  const [first, second] = [cluster.node(0), cluster.node(1)]
  const roomId = await cluster.createRoom()
  const ann = user('Ann')
  const a = await cluster.join(first, ann, roomId)
  const b = await cluster.join(second, user('Bob'), roomId)
  const leaved = collect(b.socket, 'user_leaved')
  const annDisconnects: string[] = []
  a.socket.on('disconnect', (reason) => annDisconnects.push(reason))

  const { heartbeat, mirror } = heartbeatKeys(redis, first.id)
  const heartbeatMaster = await masterOf(redis, heartbeat)
  expect(await masterOf(redis, mirror)).not.toBe(heartbeatMaster)

  const killedAt = Date.now()
  await cluster.redisCluster?.killMaster(Number(heartbeatMaster.split(':')[1]))
  const failoverMs = Date.now() - killedAt
  // The test means something only if the heartbeat was unwritable for longer than the TTL.
  expect(failoverMs).toBeGreaterThan(TTL_MS)
  // Several censuses and reap attempts on the new topology, and the node's beats there.
  await sleep(4 * TTL_MS)

  expect(await redis.exists(RedisKeys.nodeReaper(first.id))).toBe(0)
  expect(leaved.filter((e) => e.user.id === ann.id)).toEqual([])
  expect(annDisconnects).toEqual([])
  const fields = await redis.hkeys(RedisKeys.presence(roomId))
  expect(fields.some((f) => f.startsWith(`${ann.id}|`))).toBe(true)
  console.log(`heartbeat shard failover: replica promoted after ${failoverMs} ms (node TTL ${TTL_MS} ms); nobody reaped`)
}, 90_000)
