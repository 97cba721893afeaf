/**
 * A Redis Cluster master killed (`kill -9`) under chat load: its replica is promoted, the API and
 * the gateways follow the new topology by themselves (nobody restarts or reconfigures them),
 * presence converges on the live sockets, no acked message is lost, and seq never repeats.
 */
import { createRedisClient, type RedisClient, redisTarget } from '@hangout/runtime'
import { RedisKeys } from '@hangout/store'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { masterOf, type RedisCluster } from '@hangout/testkit/redis-cluster'
import { ChatLoad } from '../support/chat-load.js'
import { report, timeUntil } from '../support/report.js'

let t: ClusterUnderTest
let rc: RedisCluster
let redis: RedisClient
let load: ChatLoad

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 2, redisCluster: { masters: 3 } })
  if (!t.cluster.redisCluster) throw new Error('no redis cluster')
  rc = t.cluster.redisCluster
  redis = createRedisClient(redisTarget('', rc.seeds), { maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  await redis.connect()
  load = await ChatLoad.start(t.cluster.url, 6, 3)
  load.run(500)
}, 120_000)

afterAll(async () => {
  load?.close()
  redis?.disconnect()
  await t?.stop()
})

test('a master killed under chat load: its replica takes over, everything recovers by itself', async () => {
  await timeUntil('chat flows', () => load.ackedCount > 20, 20_000)
  // The master that holds the first room's keys (its presence, seq counter, history).
  const owner = await masterOf(redis, RedisKeys.seq(load.rooms[0]!))
  const roomMasters = await Promise.all(load.rooms.map((roomId) => masterOf(redis, RedisKeys.seq(roomId))))
  const roomsOnIt = roomMasters.filter((master) => master === owner).length
  const seqBefore = new Map(
    load.rooms.map((roomId) => [roomId, Math.max(0, ...(load.acked.get(roomId) ?? []).map((m) => m.seq))]),
  )

  const killedAt = Date.now()
  const { promoted } = await rc.killMaster(Number(owner.split(':')[1]))
  const failoverMs = Date.now() - killedAt
  expect(promoted).not.toBe(owner)
  const ackedAtPromotion = load.ackedCount

  await timeUntil(
    'chat flows again in every room',
    () => load.rooms.every((roomId) => (load.acked.get(roomId) ?? []).some((m) => m.seq > (seqBefore.get(roomId) ?? 0) + 1)),
    30_000,
  )
  await timeUntil('every member joined', () => load.everyoneJoined(), 30_000)
  const recoveredMs = Date.now() - killedAt
  const nodes = t.cluster.gateways.map((g) => g.nodeId)
  await timeUntil('presence converged on the live sockets', () => load.presenceConverged(redis, nodes), 30_000)
  const presenceMs = Date.now() - killedAt
  const healthy = await Promise.all(
    [`${t.cluster.apiUrl}/healthz`, ...t.cluster.gateways.map((g) => `${g.url}/healthz`)].map(async (url) => {
      const body = (await (await fetch(url)).json()) as {
        status: string
        redisCluster?: { state: string; shards: { master: string }[] }
      }
      return (
        body.status === 'ok' && body.redisCluster?.state === 'ok' && body.redisCluster.shards.some((s) => s.master === promoted)
      )
    }),
  )
  expect(healthy).toEqual(healthy.map(() => true))
  await load.stop()

  expect(await load.problems(t.db)).toEqual([])
  expect(load.duplicates).toBe(0)
  for (const roomId of load.rooms) {
    const seqs = (load.acked.get(roomId) ?? []).map((m) => m.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
  }
  report('Redis Cluster master killed', {
    'replica promoted (ms)': failoverMs,
    'chat in every room and everyone joined (ms)': recoveredMs,
    'presence converged (ms)': presenceMs,
    'rooms on the killed shard': roomsOnIt,
    'acked at promotion': ackedAtPromotion,
    acked: load.ackedCount,
    failedSends: JSON.stringify(Object.fromEntries(load.failures)),
  })
}, 150_000)
