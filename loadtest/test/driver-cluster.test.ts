import { activityPlan } from '../k6/lib/plans.js'
import { type BenchCluster, startBenchCluster } from '../src/bench-cluster.js'
import { createRooms, registerUsers, seatsFor } from '../src/fixture.js'
import { measuredRun, runErrors } from '../src/measured-run.js'

const ROOMS = 3
const USERS_PER_ROOM = 3

let bench: BenchCluster

beforeAll(async () => {
  bench = await startBenchCluster(2)
}, 180000)
afterAll(async () => {
  await bench?.stop()
})

test('drives a chat load through the real edge in worker processes and measures it', async () => {
  const { cluster, redis } = bench
  const api = `${cluster.url}/api`
  const members = await registerUsers(api, ROOMS * USERS_PER_ROOM)
  const roomIds = await createRooms(api, members[0] as (typeof members)[number], ROOMS)
  const seats = seatsFor(members, roomIds, () => cluster.url)
  const plan = { ...activityPlan('chat-fanout', { usersPerRoom: USERS_PER_ROOM, rate: 6 }), warmupMs: 0 }

  const run = await measuredRun('test', cluster, redis, seats, plan, 2000, 2)

  expect(runErrors(run)).toEqual([])
  expect(run.counts.joined).toBe(ROOMS * USERS_PER_ROOM)
  expect(run.latency.joinAck.count).toBe(ROOMS * USERS_PER_ROOM)
  // Through the edge every room meets on one node.
  expect(run.rooms).toBe(ROOMS)
  expect(run.roomsOnSeveralNodes).toBe(0)
  // Every acked message reached every member of its room once, the sender included; the others timed it.
  const acked = run.counts.acked.message ?? 0
  expect(acked).toBeGreaterThanOrEqual(ROOMS * 6 * 1)
  expect(run.counts.sent.message).toBe(acked)
  expect(run.counts.delivered.message).toBe(acked * USERS_PER_ROOM)
  expect(run.latency.fanout.count).toBe(acked * (USERS_PER_ROOM - 1))
  expect(run.latency.fanout.p50).toBeGreaterThan(0)
  // The servers' CPU and Redis's traffic were really read.
  const gateways = run.usage.filter((u) => u.role === 'gateway')
  expect(gateways).toHaveLength(2)
  expect(gateways.reduce((sum, u) => sum + u.cpuMs, 0)).toBeGreaterThan(0)
  expect(gateways.every((u) => u.rssKb > 10_000)).toBe(true)
  expect(run.usage.map((u) => u.role)).toEqual(expect.arrayContaining(['api', 'redis', 'nginx', 'mongo']))
  // Each acked message took Redis commands (its seq, the recent history); none went through pub/sub,
  // since every room lives on its home node alone (local-only broadcast).
  expect(run.redis.commands).toBeGreaterThanOrEqual(acked)
  expect(run.redis.published).toBe(0)
  expect(run.gatewayRedisCpuUsPerDelivery).toBeGreaterThan(0)
}, 180000)
