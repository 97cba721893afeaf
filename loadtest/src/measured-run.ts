/** One scenario run against a cluster, with the servers' CPU and memory and Redis's counters over the active window. */
import type { Cluster } from '@hangout/infra/cluster'
import type { Redis } from 'ioredis'
import type { ActivityPlan } from '../k6/lib/plans.js'
import { monotonicUs } from './cpu-profile.js'
import { drive } from './driver.js'
import { type LatencySummary, summarize } from './histogram.js'
import { diffCounters, type RedisCounters, readRedisCounters } from './redis-stats.js'
import type { RunCounts, Seat } from './room-users.js'
import { type Snapshot, serverProcesses, settle, snapshot, type Usage, usageBetween } from './server-processes.js'

export interface MeasuredRun {
  label: string
  seats: number
  counts: RunCounts
  latency: { joinAck: LatencySummary; connectJoin: LatencySummary; fanout: LatencySummary; emitAck: LatencySummary }
  joinPhaseMs: number
  activeMs: number
  /** The active window on the monotonic clock (µs), to cut CPU profiles to it. */
  activeWindowUs: [number, number]
  /** The join phase on the same clock. */
  joinWindowUs: [number, number]
  /** The gateway processes that served the run. */
  gatewayPids: number[]
  usage: Usage[]
  /** What the servers spent while every seat connected and joined (the join storm). */
  joinUsage: Usage[]
  /** Seats joined per second of gateway CPU during the join phase. */
  joinsPerGatewayCpuSecond: number
  /** Growth of the gateways' RSS over the join phase per joined socket, KiB (memory per idle connection, GC permitting). */
  gatewayRssKbPerSocket: number
  /** Growth of the gateways' RSS from before the join to the end of the active window, per joined socket, KiB (with an idle plan: memory per idle connection). */
  gatewayRssKbPerSocketAtEnd: number
  redis: RedisCounters
  /** Rooms whose sockets were served by more than one gateway node, and the room count. */
  roomsOnSeveralNodes: number
  rooms: number
  /** Room events delivered to sockets while active, all kinds. */
  delivered: number
  /** Chat messages acknowledged while active. */
  chatAcked: number
  /** Room broadcasts acknowledged while active: chat, scroll, click and page events. */
  broadcastsAcked: number
  /** CPU of the gateways and Redis per delivered event, microseconds (what room placement changes). */
  gatewayRedisCpuUsPerDelivery: number
  /** CPU of every server process (gateways, Redis, nginx, API) per delivered event, microseconds. */
  clusterCpuUsPerDelivery: number
  /** PUBLISH/SPUBLISH calls per acknowledged room broadcast (per chat message in a chat-only run). */
  redisPublishesPerBroadcast: number
  /** Bytes Redis sent to its clients per acknowledged room broadcast. */
  redisOutBytesPerBroadcast: number
}

export async function measuredRun(
  label: string,
  cluster: Cluster,
  redis: Redis,
  seats: Seat[],
  plan: ActivityPlan,
  durationMs: number,
  workers: number,
): Promise<MeasuredRun> {
  const processes = serverProcesses(cluster)
  // What an earlier run left in flight (stores, grace timers) must not be billed to this one.
  if (!(await settle(processes))) process.stderr.write('warning: the servers were still busy before this run\n')
  let joinBefore: Snapshot = new Map()
  let before: Snapshot = new Map()
  let after: Snapshot = new Map()
  let redisBefore: RedisCounters | undefined
  let redisAfter: RedisCounters | undefined
  const window: [number, number] = [0, 0]
  const joinWindow: [number, number] = [0, 0]
  const result = await drive(seats, plan, durationMs, workers, {
    onJoining: () => {
      joinBefore = snapshot(processes)
      joinWindow[0] = monotonicUs()
    },
    onActive: async () => {
      before = snapshot(processes)
      joinWindow[1] = monotonicUs()
      redisBefore = await readRedisCounters(redis)
      window[0] = monotonicUs()
    },
    onStopped: async () => {
      window[1] = monotonicUs()
      after = snapshot(processes)
      redisAfter = await readRedisCounters(redis)
    },
  })
  if (!redisBefore || !redisAfter) throw new Error('the run ended before it was measured')
  const usage = usageBetween(processes, before, after)
  const joinUsage = usageBetween(processes, joinBefore, before)
  const joinGatewayCpuMs = joinUsage.filter((u) => u.role === 'gateway').reduce((sum, u) => sum + u.cpuMs, 0)
  const gatewayRssKb = (at: Snapshot) =>
    processes
      .filter((p) => p.role === 'gateway')
      .reduce((sum, p) => sum + (at.get(p.name) ?? []).reduce((kb, s) => kb + s.rssKb, 0), 0)
  const redisDelta = diffCounters(redisBefore, redisAfter)
  const delivered = Object.values(result.counts.delivered).reduce((a, b) => a + b, 0)
  const chatAcked = result.counts.acked.message ?? 0
  const broadcastsAcked = Object.values(result.counts.acked).reduce((a, b) => a + b, 0)
  const cpu = (roles: Usage['role'][]) => usage.filter((u) => roles.includes(u.role)).reduce((sum, u) => sum + u.cpuMs, 0)
  const perDelivery = (ms: number) => (delivered ? (ms * 1000) / delivered : Number.NaN)
  const rooms = Object.values(result.roomNodes)
  return {
    label,
    seats: seats.length,
    counts: result.counts,
    latency: {
      joinAck: summarize(result.joinAck),
      connectJoin: summarize(result.connectJoin),
      fanout: summarize(result.fanout),
      emitAck: summarize(result.emitAck),
    },
    joinPhaseMs: result.joinPhaseMs,
    activeMs: result.activeMs,
    activeWindowUs: window,
    joinWindowUs: joinWindow,
    gatewayPids: processes.filter((p) => p.role === 'gateway').flatMap((p) => p.pids),
    usage,
    joinUsage,
    joinsPerGatewayCpuSecond: joinGatewayCpuMs ? (result.counts.joined * 1000) / joinGatewayCpuMs : Number.NaN,
    gatewayRssKbPerSocket: result.counts.joined
      ? (gatewayRssKb(before) - gatewayRssKb(joinBefore)) / result.counts.joined
      : Number.NaN,
    gatewayRssKbPerSocketAtEnd: result.counts.joined
      ? (gatewayRssKb(after) - gatewayRssKb(joinBefore)) / result.counts.joined
      : Number.NaN,
    redis: redisDelta,
    roomsOnSeveralNodes: rooms.filter((nodes) => nodes.length > 1).length,
    rooms: rooms.length,
    delivered,
    chatAcked,
    broadcastsAcked,
    gatewayRedisCpuUsPerDelivery: perDelivery(cpu(['gateway', 'redis'])),
    clusterCpuUsPerDelivery: perDelivery(cpu(['gateway', 'redis', 'nginx', 'api'])),
    redisPublishesPerBroadcast: broadcastsAcked ? redisDelta.published / broadcastsAcked : Number.NaN,
    redisOutBytesPerBroadcast: broadcastsAcked ? redisDelta.netOutputBytes / broadcastsAcked : Number.NaN,
  }
}

/** Errors a run must not have: anything refused, timed out or dropped. */
export function runErrors(run: MeasuredRun): string[] {
  const c = run.counts
  const errors: string[] = []
  if (c.connectErrors) errors.push(`${c.connectErrors} connect errors`)
  if (c.joinErrors) errors.push(`${c.joinErrors} joins failed`)
  for (const [code, n] of Object.entries(c.ackErrors)) errors.push(`${n} acks ${code}`)
  if (c.unexpectedDisconnects) errors.push(`${c.unexpectedDisconnects} unexpected disconnects`)
  return errors
}
