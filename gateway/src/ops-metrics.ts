import type { RedisClient } from '@hangout/runtime'
import { collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client'
import type { Liveness } from './cluster/liveness.js'

/** How often the node times a PING to Redis, and how long it waits for the PONG. */
const PROBE_EVERY_MS = 1000
export const REDIS_PING_TIMEOUT_MS = 1000

/** One PING: its round trip in seconds, or undefined when Redis is not connected or no PONG came in time. */
export async function pingRedis(redis: RedisClient, timeoutMs = REDIS_PING_TIMEOUT_MS): Promise<number | undefined> {
  // ioredis queues commands while it reconnects: without this a probe would wait for Redis to return.
  if (redis.status !== 'ready') return undefined
  const started = process.hrtime.bigint()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  try {
    const pong = await Promise.race([redis.ping().then((answer) => answer === 'PONG'), timeout])
    return pong ? Number(process.hrtime.bigint() - started) / 1e9 : undefined
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
  }
}

/**
 * What an operator watches beside the node's own counters: the process (event-loop lag, memory,
 * CPU: prom-client's default metrics), Redis as this node sees it (up, round-trip time), and the
 * cluster as its last census saw it (live and dead nodes; a dead one counts until it is reaped).
 */
export function watchRuntime(registry: Registry, redis: RedisClient, liveness: Liveness) {
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const up = new Gauge({
    name: 'hangout_gateway_redis_up',
    help: '1 when the last PING to Redis was answered in time',
    registers,
  })
  const rtt = new Histogram({
    name: 'hangout_gateway_redis_rtt_seconds',
    help: `Round trip of a PING to Redis, timed every ${PROBE_EVERY_MS} ms`,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  })
  new Gauge({
    name: 'hangout_gateway_cluster_nodes',
    help: 'Registered gateway nodes by state in this node’s last census (dead: heartbeat expired, presence not yet reaped)',
    labelNames: ['state'],
    registers,
    collect() {
      this.set({ state: 'live' }, liveness.lastCensus.live)
      this.set({ state: 'dead' }, liveness.lastCensus.dead)
    },
  })

  let probing = false
  const probe = async () => {
    if (probing) return
    probing = true
    const seconds = await pingRedis(redis)
    probing = false
    up.set(seconds === undefined ? 0 : 1)
    if (seconds !== undefined) rtt.observe(seconds)
  }
  void probe()
  const timer = setInterval(() => void probe(), PROBE_EVERY_MS)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
    },
  }
}
