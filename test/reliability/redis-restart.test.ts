/**
 * Redis killed under chat load and restarted empty (a private redis-server on a fixed port):
 * every gateway and the API answer 503 on /healthz while it is down, all recover by themselves,
 * presence is rebuilt from the live sockets, no acked message is lost, and seq never repeats.
 */
import { join } from 'node:path'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { startRedis } from '@hangout/infra/services'
import { Redis } from 'ioredis'
import { ChatLoad } from '../support/chat-load.js'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'

let t: ClusterUnderTest
let redisPort: number
let redisServer: ManagedProcess
let redis: Redis
let load: ChatLoad

beforeAll(async () => {
  redisPort = await freePort()
  redisServer = await startRedis(redisPort)
  t = await startClusterUnderTest({ gateways: 3, env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } })
  redis = new Redis(redisPort, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => 200 })
  redis.on('error', () => {})
  load = await ChatLoad.start(t.cluster.url, 6, 3)
  load.run(500)
}, 90_000)

afterAll(async () => {
  load?.close()
  redis?.disconnect()
  await t?.stop()
  await redisServer?.kill()
})

const healthUrls = () => [`${t.cluster.apiUrl}/healthz`, ...t.cluster.gateways.map((g) => `${g.url}/healthz`)]
async function statuses(): Promise<number[]> {
  return Promise.all(
    healthUrls().map((url) =>
      fetch(url, { signal: AbortSignal.timeout(3000) }).then(
        (r) => r.status,
        () => 0,
      ),
    ),
  )
}

test('Redis killed and restarted empty under load', async () => {
  await new Promise((r) => setTimeout(r, 1500))
  const seqBefore = new Map(
    load.rooms.map((roomId) => [roomId, Math.max(0, ...(load.acked.get(roomId) ?? []).map((m) => m.seq))]),
  )

  await redisServer.kill()
  const to503 = await timeUntil('every /healthz answers 503', async () => (await statuses()).every((s) => s === 503), 10_000)
  await new Promise((r) => setTimeout(r, 2000))
  for (const roomId of load.rooms) seqBefore.set(roomId, Math.max(0, ...(load.acked.get(roomId) ?? []).map((m) => m.seq)))
  expect(await statuses()).toEqual(healthUrls().map(() => 503))

  redisServer = await startRedis(redisPort, join(t.logDir, 'redis-restarted.log'))
  const restartedAt = Date.now()
  const ackedAtRestart = new Map(load.rooms.map((roomId) => [roomId, load.acked.get(roomId)?.length ?? 0]))
  const to200 = await timeUntil(
    'every /healthz answers 200 again',
    async () => (await statuses()).every((s) => s === 200),
    20_000,
  )
  await timeUntil('every member joined', () => load.everyoneJoined(), 20_000)
  await timeUntil(
    'presence rebuilt from the live sockets',
    () =>
      load.presenceConverged(
        redis,
        t.cluster.gateways.map((g) => g.nodeId),
      ),
    20_000,
  )
  const presenceMs = Date.now() - restartedAt
  const sentAfter = load.ackedCount
  await timeUntil('chat flows again', () => load.ackedCount > sentAfter + 20, 10_000)
  await load.stop()

  expect(await load.problems(t.db)).toEqual([])
  expect(load.duplicates).toBe(0)
  for (const roomId of load.rooms) {
    const acked = (load.acked.get(roomId) ?? []).map((m) => m.seq)
    expect(new Set(acked).size).toBe(acked.length)
    // Acks of concurrent senders may come back out of seq order; what was acked after the restart
    // must still come after everything acked before Redis died.
    const afterRestart = acked.slice(ackedAtRestart.get(roomId))
    expect(afterRestart.length).toBeGreaterThan(0)
    expect(Math.min(...afterRestart)).toBeGreaterThan(seqBefore.get(roomId) ?? 0)
  }
  report('Redis killed, restarted empty', {
    'all healthz 503 after kill (ms)': to503,
    'all healthz 200 after restart (ms)': to200,
    'presence rebuilt after restart (ms)': presenceMs,
    acked: load.ackedCount,
    failedSends: JSON.stringify(Object.fromEntries(load.failures)),
  })
})
