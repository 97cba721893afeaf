/**
 * Runs a scenario's seats in worker processes (one process cannot drive thousands of sockets on
 * one core), in lockstep: all connect and join, then `go`, then `stop` after the duration.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, TSX_IMPORT } from '@hangout/infra/paths'
import type { ActivityPlan } from '../k6/lib/plans.js'
import { mergeEncoded, type LatencyHistogram } from './histogram.js'
import { emptyCounts, type RunCounts, type RunResult, type Seat } from './room-users.js'
import type { FromWorker, ToWorker } from './worker-messages.js'

const WORKER = join(ROOT, 'loadtest/src/worker.ts')

export interface Phases {
  /** Called right before the seats connect. */
  onJoining?: () => Promise<void> | void
  /** Called once every seat has joined (or failed), right before the activity starts. */
  onActive?: () => Promise<void> | void
  /** Called right after the activity stopped and in-flight events were counted. */
  onStopped?: () => Promise<void> | void
}

export interface DriverResult {
  counts: RunCounts
  joinAck: LatencyHistogram
  connectJoin: LatencyHistogram
  fanout: LatencyHistogram
  emitAck: LatencyHistogram
  roomNodes: Record<string, string[]>
  /** Wall time of the join phase and of the activity phase, ms. */
  joinPhaseMs: number
  activeMs: number
}

class Worker {
  private readonly child: ChildProcess
  private readonly waiting = new Map<FromWorker['type'], (message: FromWorker) => void>()
  private failure: Error | undefined

  constructor(index: number) {
    this.child = fork(WORKER, [], {
      cwd: ROOT,
      execArgv: [...TSX_IMPORT],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    })
    this.child.on('message', (message: FromWorker) => {
      if (message.type === 'failed') this.fail(new Error(`load worker ${index} failed: ${message.message}`))
      else this.waiting.get(message.type)?.(message)
    })
    this.child.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`load worker ${index} exited with ${code}`))
    })
  }

  private fail(err: Error): void {
    this.failure = err
    for (const reject of this.waiting.values()) reject({ type: 'failed', message: err.message })
  }

  send(message: ToWorker): void {
    this.child.send(message)
  }

  next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.waiting.set(type, (message) => {
        this.waiting.delete(type)
        if (message.type === 'failed') reject(new Error(message.message))
        else resolve(message as Extract<FromWorker, { type: T }>)
      })
    })
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.send({ type: 'exit' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
}

/** Seats dealt round-robin over `workers` processes. */
export async function drive(
  seats: Seat[],
  plan: ActivityPlan,
  durationMs: number,
  workers: number,
  phases: Phases = {},
): Promise<DriverResult> {
  const count = Math.max(1, Math.min(workers, seats.length))
  const pool = Array.from({ length: count }, (_, i) => new Worker(i))
  try {
    // Worker start-up (loading TypeScript) is not part of the join phase.
    await Promise.all(pool.map((w) => w.next('started')))
    await phases.onJoining?.()
    const joinStart = performance.now()
    const ready = pool.map((w) => w.next('ready'))
    for (const [i, w] of pool.entries()) w.send({ type: 'job', seats: seats.filter((_, s) => s % count === i), plan })
    await Promise.all(ready)
    const joinPhaseMs = performance.now() - joinStart

    await phases.onActive?.()
    const activeStart = performance.now()
    for (const w of pool) w.send({ type: 'go' })
    await new Promise((resolve) => setTimeout(resolve, durationMs))
    const done = pool.map((w) => w.next('done'))
    for (const w of pool) w.send({ type: 'stop' })
    const results = (await Promise.all(done)).map((m) => m.result)
    const activeMs = performance.now() - activeStart
    await phases.onStopped?.()
    return { ...merge(results), joinPhaseMs, activeMs }
  } finally {
    await Promise.all(pool.map((w) => w.exit()))
  }
}

function merge(results: RunResult[]): Omit<DriverResult, 'joinPhaseMs' | 'activeMs'> {
  const counts: RunCounts = emptyCounts()
  const roomNodes: Record<string, Set<string>> = {}
  for (const { counts: c, roomNodes: nodes } of results) {
    counts.connectErrors += c.connectErrors
    counts.joined += c.joined
    counts.joinErrors += c.joinErrors
    counts.rebalances += c.rebalances
    counts.joinedFramesAtJoin += c.joinedFramesAtJoin
    counts.unexpectedDisconnects += c.unexpectedDisconnects
    addInto(counts.sent, c.sent)
    addInto(counts.acked, c.acked)
    addInto(counts.ackErrors, c.ackErrors)
    addInto(counts.delivered, c.delivered)
    for (const [room, ids] of Object.entries(nodes)) roomNodes[room] = new Set([...(roomNodes[room] ?? []), ...ids])
  }
  const pick = (name: keyof RunResult['histograms']) => mergeEncoded(results.map((r) => r.histograms[name]))
  return {
    counts,
    joinAck: pick('joinAck'),
    connectJoin: pick('connectJoin'),
    fanout: pick('fanout'),
    emitAck: pick('emitAck'),
    roomNodes: Object.fromEntries(Object.entries(roomNodes).map(([room, ids]) => [room, [...ids]])),
  }
}

function addInto<K extends string>(total: Partial<Record<K, number>>, part: Partial<Record<K, number>>): void {
  for (const [key, value] of Object.entries(part) as [K, number][]) total[key] = (total[key] ?? 0) + value
}
