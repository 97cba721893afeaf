/**
 * Sharded vs classic Redis adapter: cluster CPU per delivered event. Three real nodes on a private
 * Redis; rooms live on one node each (as the edge places them) or are spread over all nodes.
 * Run: node --import tsx loadtest/src/gateway-bench/adapters.ts [seconds]
 */
import { readFileSync } from 'node:fs'
import { DEFAULT_MONGO_URL } from '@hangout/runtime'
import { type Client, Cluster, sleep, user } from '@hangout/testkit/gateway-cluster'

const SECONDS = Number(process.argv[2] ?? 8)
const ROOMS = 30
const USERS_PER_ROOM = 4
const EVENTS_PER_SECOND = 5

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

async function run(adapter: 'sharded' | 'classic', placement: 'home' | 'spread') {
  const cluster = new Cluster({ ADAPTER: adapter }, DEFAULT_MONGO_URL.replace(/\/[^/]*$/, ''))
  await cluster.start(3)
  const sockets: { socket: Client; roomId: string }[] = []
  for (let r = 0; r < ROOMS; r++) {
    const roomId = await cluster.createRoom()
    for (let u = 0; u < USERS_PER_ROOM; u++) {
      const node = cluster.node(placement === 'home' ? r % 3 : (r + u) % 3)
      const { socket } = await cluster.join(node, user(`u${u}`), roomId)
      sockets.push({ socket, roomId })
    }
  }
  let delivered = 0
  for (const { socket } of sockets) socket.on('scroll_updated', () => delivered++)
  const pids = cluster.nodes.map((n) => n.proc.pid!)
  const redisPid = cluster.redis!.pid!
  const before = pids.map(cpuMs)
  const redisBefore = cpuMs(redisPid)
  const started = Date.now()
  const timer = setInterval(() => {
    for (const { socket, roomId } of sockets) socket.emit('scroll_update', { roomId, top: Math.random() }, () => {})
  }, 1000 / EVENTS_PER_SECOND)
  await sleep(SECONDS * 1000)
  clearInterval(timer)
  await sleep(300)
  const nodeCpu = pids.map((pid, i) => cpuMs(pid) - before[i]!)
  const redisCpu = cpuMs(redisPid) - redisBefore
  const total = nodeCpu.reduce((a, b) => a + b, 0)
  const result = {
    adapter,
    placement,
    delivered,
    deliveredPerSecond: Math.round(delivered / ((Date.now() - started) / 1000)),
    nodeCpuMsPer1000: +((total / delivered) * 1000).toFixed(1),
    redisCpuMsPer1000: +((redisCpu / delivered) * 1000).toFixed(1),
  }
  await cluster.stop()
  return result
}

const results = []
for (const placement of ['home', 'spread'] as const) {
  for (const adapter of ['sharded', 'classic'] as const) results.push(await run(adapter, placement))
}
console.table(results)
