/**
 * Redis CPU per broadcast, one Redis against a 3-shard Redis Cluster, same load, side by side:
 *
 *   node --import tsx loadtest/src/redis-shards.ts [seconds=8] [rooms=60] [subscribers=3] [inFlight=256]
 *
 * The Redis-side cost of what the sharded adapter does per broadcast: `subscribers` connections
 * (one per gateway node) SSUBSCRIBE every room's channel (`hg:sio#/#<room>#`, as the adapter names
 * them), and one publisher SPUBLISHes to the rooms in turn, `inFlight` at a time, as fast as they
 * are answered, for `seconds`. Each redis-server's CPU (user + system, /proc) is shown one by one,
 * with CPU ms per 1,000 broadcasts and the broadcast rate reached. Gateways are not in the loop:
 * this measures Redis's share only. The load driver runs on the same machine.
 */
import { join } from 'node:path'
import { startRedisCluster } from '@hangout/infra/redis-cluster'
import { freePort } from '@hangout/infra/process'
import { startRedis } from '@hangout/infra/services'
import { DATA_DIR } from '@hangout/infra/paths'
import { createRedisClient, type RedisClient, type RedisTarget, redisTarget } from '@hangout/runtime'
import { RedisKeys } from '@hangout/store'
import { sampleProcess } from './proc-stats.js'

const [seconds = 8, rooms = 60, subscribers = 3, inFlight = 256] = process.argv.slice(2).map(Number)

interface Arm {
  name: string
  target: RedisTarget
  servers: { name: string; pid: number }[]
}

async function measure(arm: Arm): Promise<void> {
  const channels = Array.from({ length: rooms }, (_, i) => RedisKeys.adapterRoomChannel(`bench-room-${i}`))
  const subs: RedisClient[] = []
  let delivered = 0
  for (let s = 0; s < subscribers; s++) {
    const sub = createRedisClient(arm.target, {})
    await sub.connect()
    sub.on('smessageBuffer', () => delivered++)
    for (const channel of channels) await sub.ssubscribe(channel)
    subs.push(sub)
  }
  const pub = createRedisClient(arm.target, {})
  await pub.connect()
  const payload = Buffer.alloc(200, 'x')
  const before = arm.servers.map((s) => sampleProcess(s.pid)?.cpuMs ?? 0)
  const started = Date.now()
  let published = 0
  const worker = async () => {
    while (Date.now() - started < seconds * 1000) {
      await pub.spublish(channels[published++ % rooms]!, payload)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const elapsed = (Date.now() - started) / 1000
  const after = arm.servers.map((s) => sampleProcess(s.pid)?.cpuMs ?? 0)
  await new Promise((r) => setTimeout(r, 300))
  const cpu = after.map((ms, i) => ms - before[i]!)
  const total = cpu.reduce((a, b) => a + b, 0)
  console.log(
    `${arm.name}: ${Math.round(published / elapsed)} broadcasts/s, ${Math.round(delivered / elapsed)} deliveries/s; ` +
      `Redis CPU ${((total / 1000 / elapsed) * 100).toFixed(0)} % in all, ${((total / published) * 1000).toFixed(1)} CPU ms / 1,000 broadcasts`,
  )
  for (const [i, server] of arm.servers.entries())
    console.log(`  ${server.name.padEnd(22)} CPU ${((cpu[i]! / 1000 / elapsed) * 100).toFixed(0).padStart(3)} %`)
  pub.disconnect()
  for (const sub of subs) sub.disconnect()
}

const single = await startRedis(await freePort())
const cluster = await startRedisCluster({ dir: join(DATA_DIR, 'run', 'redis-shards-bench') })
try {
  const shards = await cluster.shards()
  const pidOf = (address: string) => cluster.nodes.find((n) => `127.0.0.1:${n.port}` === address)?.process.pid ?? 0
  console.log(`${seconds} s per arm, ${rooms} rooms, ${subscribers} subscriber connections, ${inFlight} publishes in flight`)
  await measure({
    name: 'one Redis',
    target: { kind: 'single', url: `redis://127.0.0.1:${single.options.args[1]}` },
    servers: [{ name: `redis ${single.options.args[1]}`, pid: single.pid ?? 0 }],
  })
  await measure({
    name: '3-shard cluster',
    target: redisTarget('', cluster.seeds),
    servers: shards.flatMap((s) => [
      { name: `master ${s.master}`, pid: pidOf(s.master) },
      ...s.replicas.map((r) => ({ name: `replica ${r}`, pid: pidOf(r) })),
    ]),
  })
} finally {
  await cluster.stop()
  await single.stop()
}
