/**
 * A stepped capacity search on one cluster: the same rooms and users at rising scroll rates (room
 * broadcasts, not stored) with light latency-tagged chat (1 message/s per room), fresh rooms each
 * step. A step passes with chat fan-out p99 < 100 ms and no error; the capacity is the last step
 * passed before the first failure. The search goes on past a failure (for the chart) until a step
 * has errors or a p99 over STOP_P99_MS.
 */
import { readFileSync } from 'node:fs'
import type { ActivityPlan } from '../k6/lib/plans.js'
import { renderChart } from './chart.js'
import type { BenchCluster } from './bench-cluster.js'
import { createRooms, type Member, seatsFor } from './fixture.js'
import { type MeasuredRun, measuredRun, runErrors } from './measured-run.js'

export const CAPACITY_P99_MS = 100
const STOP_P99_MS = 1000

export interface CapacityStep {
  scrollPerUser: number
  /** Room events the clients emitted per second (chat + scroll), what the step offers. */
  offeredPerSec: number
  sockets: number
  deliveriesPerSec: number
  broadcastsPerSec: number
  fanoutP50: number
  fanoutP99: number
  ackP99: number
  /** Gateways' CPU over the active window, % of one core, summed. */
  gatewayCpuPercent: number
  /** Deliveries per second of gateway CPU (the "per gateway core"). */
  deliveriesPerGatewayCpuSecond: number
  /** The whole machine's busy share over the step (all 2 cores, everyone's processes), %. */
  machineBusyPercent: number
  errors: string[]
  passed: boolean
  run: MeasuredRun
}

/** Busy and total jiffies of the whole machine (/proc/stat's first line). */
export function machineTicks(text = readFileSync('/proc/stat', 'utf8')): { busy: number; total: number } {
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return { busy: total - idle, total }
}

export async function capacitySearch(
  { cluster, redis }: BenchCluster,
  members: Member[],
  rooms: number,
  scrollSteps: number[],
  durationMs: number,
  workers: number,
  say: (line: string) => void,
): Promise<CapacityStep[]> {
  const api = `${cluster.url}/api`
  const usersPerRoom = members.length / rooms
  const steps: CapacityStep[] = []
  for (const scrollPerUser of scrollSteps) {
    const roomIds = await createRooms(api, members[0] as Member, rooms)
    const plan: ActivityPlan = {
      chatPerSec: 1 / usersPerRoom,
      scrollPerSec: scrollPerUser,
      clickPerSec: 0,
      pagePerSec: 0,
      warmupMs: 0,
    }
    say(`${cluster.gateways.length} node(s): ${members.length} sockets, ${scrollPerUser} scroll/s per user...`)
    const before = machineTicks()
    const run = await measuredRun(
      `${scrollPerUser} scroll/s`,
      cluster,
      redis,
      seatsFor(members, roomIds, () => cluster.url),
      plan,
      durationMs,
      workers,
    )
    const after = machineTicks()
    const activeS = run.activeMs / 1000
    const errors = runErrors(run)
    const step: CapacityStep = {
      scrollPerUser,
      sockets: run.counts.joined,
      offeredPerSec: Object.values(run.counts.sent).reduce((a, b) => a + b, 0) / activeS,
      deliveriesPerSec: run.delivered / activeS,
      broadcastsPerSec: run.broadcastsAcked / activeS,
      fanoutP50: run.latency.fanout.p50,
      fanoutP99: run.latency.fanout.p99,
      ackP99: run.latency.emitAck.p99,
      gatewayCpuPercent:
        (run.usage.filter((u) => u.role === 'gateway').reduce((sum, u) => sum + u.cpuMs, 0) / run.activeMs) * 100,
      deliveriesPerGatewayCpuSecond:
        run.delivered / (run.usage.filter((u) => u.role === 'gateway').reduce((sum, u) => sum + u.cpuMs, 0) / 1000),
      machineBusyPercent: ((after.busy - before.busy) / (after.total - before.total)) * 100,
      errors,
      passed: errors.length === 0 && run.latency.fanout.count > 0 && run.latency.fanout.p99 < CAPACITY_P99_MS,
      run,
    }
    steps.push(step)
    if (errors.length > 0 || step.fanoutP99 > STOP_P99_MS) break
  }
  return steps
}

/** Fan-out p99 and p50 against the offered load, one pair of lines per cluster size, in step order. */
export function capacityChart(
  results: { gateways: number; steps: CapacityStep[] }[],
  rooms: number,
  usersPerRoom: number,
): string {
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd']
  return renderChart({
    title: `Chat fan-out latency against load (${rooms} rooms × ${usersPerRoom} users)`,
    xLabel: 'room events emitted per second (scroll storms + 1 chat/s per room; each goes to the other members)',
    yLabel: 'sender → receiver latency, ms (log)',
    target: { value: CAPACITY_P99_MS, label: 'p99 target 100 ms' },
    series: results.flatMap(({ gateways, steps }, i) => [
      {
        label: `${gateways} node(s) p99`,
        color: colors[i] ?? '#333',
        points: steps.map((s) => [s.offeredPerSec, s.fanoutP99] as [number, number]),
      },
      {
        label: `${gateways} node(s) p50`,
        color: colors[i] ?? '#333',
        dashed: true,
        points: steps.map((s) => [s.offeredPerSec, s.fanoutP50] as [number, number]),
      },
    ]),
  })
}
