/**
 * A soak with churn through the edge (3 gateways): waves of rooms chat and leave, one node is
 * killed along the way. Afterwards memory and connection counts are flat, and Redis holds no
 * presence of emptied rooms and no keys of the dead node. HANGOUT_SOAK_MS sets the length
 * (default 20 s; HANGOUT_LONG=1: 30 minutes).
 */
import { readFileSync } from 'node:fs'
import { RedisKeys } from '@hangout/store'
import { Redis } from 'ioredis'
import { ChatLoad } from '../support/chat-load.js'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'

const SOAK_MS = Number(process.env.HANGOUT_SOAK_MS ?? (process.env.HANGOUT_LONG ? 30 * 60_000 : 20_000))
let t: ClusterUnderTest
let redis: Redis

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 3, env: { GRACE_MS: '1000', HEARTBEAT_MS: '1000', NODE_TTL_MS: '4000' } })
  redis = new Redis(t.cluster.env.REDIS_URL ?? '')
}, 60_000)

afterAll(async () => {
  redis?.disconnect()
  await t?.stop()
})

const rssMb = (pid: number) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) / 1024

async function gauges(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const value = (name: string) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm'))?.[1] ?? Number.NaN)
  return value('hangout_gateway_connections') + value('hangout_gateway_transports')
}

async function keys(pattern: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    found.push(...batch)
  } while (cursor !== '0')
  return found
}

async function wave(): Promise<void> {
  const load = await ChatLoad.start(t.cluster.url, 3, 3)
  load.run(500)
  await new Promise((r) => setTimeout(r, 3000))
  await load.stop()
  const problems = await load.problems(t.db)
  load.close()
  expect(problems).toEqual([])
  expect(load.duplicates).toBe(0)
}

test(
  `soak with churn for ${SOAK_MS} ms: memory and connections flat, no leaked Redis keys`,
  async () => {
    await wave() // warm-up: code paths compiled, pools filled
    const live = () => t.cluster.gateways.filter((g) => g.running)
    const rssStart = new Map(live().map((g) => [g.index, rssMb(g.process?.pid ?? 0)]))
    const started = Date.now()
    let waves = 0
    let killed: { index: number; nodeId: string } | undefined
    while (Date.now() - started < SOAK_MS) {
      await wave()
      waves++
      if (!killed && Date.now() - started > SOAK_MS / 2) {
        const victim = live()[2]
        if (!victim) throw new Error('no third gateway')
        killed = { index: victim.index, nodeId: victim.nodeId }
        await t.cluster.killGateway(victim.index)
      }
    }
    if (!killed) throw new Error('the soak ended before the kill')
    const dead = killed.nodeId

    const settled = await timeUntil(
      'no presence left, the dead node forgotten',
      async () =>
        (await keys('hg:room:*:presence')).length === 0 &&
        (await keys('hg:room:*:names')).length === 0 &&
        (await keys(`hg:node:{${dead}}:*`)).filter((k) => k !== RedisKeys.nodeReaper(dead)).length === 0 &&
        (await redis.hexists(RedisKeys.nodes, dead)) === 0,
      15_000,
    )
    for (const g of live()) expect(await gauges(g.url)).toBe(0)
    const growth = live().map((g) => rssMb(g.process?.pid ?? 0) - (rssStart.get(g.index) ?? 0))
    for (const mb of growth) expect(mb).toBeLessThan(40)
    report(`soak ${SOAK_MS} ms`, {
      waves,
      'gateway RSS growth (MB)': growth.map((mb) => Math.round(mb)).join(' / '),
      'keys settled after (ms)': settled,
      'redis keys left (seq/state of rooms)': (await keys('hg:*')).length,
    })
  },
  SOAK_MS + 120_000,
)
