/** One arm of a comparison: fresh rooms on one system, connect + join, a load window, its CPU and counts. */
import type { ActivityPlan } from '../../k6/lib/plans.js'
import { drive } from '../driver.js'
import { summarize } from '../histogram.js'
import type { RunCounts } from '../room-users.js'
import { type ServerProcess, type Snapshot, settle, snapshot, type Usage, usageBetween } from '../server-processes.js'
import { type EventTally, tallyOf, tallyProblems } from './harness.js'
import type { Sut } from './suts.js'

/** The contract's disconnect grace (user_leaved at most 5 s after a disconnect), and a margin. */
export const GRACE_MS = 5500

export interface ArmSpec {
  sockets: number
  roomSize: number
  plan: ActivityPlan
  windowMs: number
  workers: number
  /** 'join': the grace elapses before the sockets connect (the join is measured); 'window': before the load window. */
  measure: 'join' | 'window'
}

export interface ArmResult {
  label: string
  joined: number
  joinPhaseMs: number
  windowMs: number
  /** CPU of the counted processes over the join phase and the second after it, and over the load window. */
  joinCpuMs: number
  windowCpuMs: number
  joinUsage: Usage[]
  windowUsage: Usage[]
  tally: EventTally
  fanoutP99: number
  emitAckP99: number
  rooms: number
  roomsOnSeveralNodes: number
  /** Errors, refusals, lost deliveries: the arm's figures cannot be used. */
  problems: string[]
  /** The generator sent fewer events than planned (it fell behind), or the servers never went quiet: the figures stand, with that caveat. */
  shortfalls: string[]
  fanoutCount: number
  /** `rebalance` events the sockets were sent (a scattered arm's stay where they are). */
  rebalances: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** When the previous arm's sockets were closed (its graces run until GRACE_MS after). */
let lastClosedAt = 0

/** Waits out the last arm's graces, then for the servers to be idle; false if they stayed busy 20 s. */
async function quiet(all: ServerProcess[]): Promise<boolean> {
  const wait = lastClosedAt + GRACE_MS - Date.now()
  if (wait > 0) await sleep(wait)
  return settle(all, 20, 1000, 20000)
}

/** `everyProcess`: all systems' processes (the other one must be quiet too: they share the core). */
export async function runArm(sut: Sut, spec: ArmSpec, everyProcess: ServerProcess[]): Promise<ArmResult> {
  await sut.beforeArm?.()
  // After beforeArm: an edge reload replaces nginx's workers.
  const processes = sut.processes()
  const counted = (usage: Usage[]) => usage.filter((u) => sut.counted.includes(u.role)).reduce((sum, u) => sum + u.cpuMs, 0)
  const seats = await sut.seats(spec.sockets, spec.roomSize)
  let joinBefore: Snapshot = new Map()
  let joinAfter: Snapshot = new Map()
  let before: Snapshot = new Map()
  let after: Snapshot = new Map()
  let wasQuiet = true
  // A join is followed by work the ack does not wait for (notifications to the room): one idle second is billed to it.
  const joinTailMs = spec.measure === 'join' ? 1000 : 0
  const result = await drive(seats, spec.plan, spec.measure === 'join' ? joinTailMs : spec.windowMs, spec.workers, {
    onJoining: async () => {
      if (spec.measure === 'join') wasQuiet = await quiet(everyProcess)
      joinBefore = snapshot(processes)
    },
    onActive: async () => {
      if (spec.measure === 'window') {
        joinAfter = snapshot(processes)
        wasQuiet = await quiet(everyProcess)
      }
      before = snapshot(processes)
    },
    onStopped: () => {
      after = snapshot(processes)
      if (spec.measure === 'join') joinAfter = after
    },
  })
  lastClosedAt = Date.now()
  const joinUsage = usageBetween(processes, joinBefore, joinAfter)
  const windowUsage = usageBetween(processes, before, after)
  const tally = tallyOf(result.counts, spec, seats.length)
  const rooms = Object.values(result.roomNodes)
  const roomsOnSeveralNodes = rooms.filter((nodes) => nodes.length > 1).length
  const tallied = spec.measure === 'window' ? tallyProblems(tally) : []
  const shortfalls = [
    ...tallied.filter((p) => p.startsWith('sent ')),
    ...(wasQuiet ? [] : ['the servers were still over 20 % of a core after 20 s of waiting for quiet']),
  ]
  // A scattered arm is told to move (and stays): rebalances are expected there, nowhere else.
  const scattered = sut.expectOneNodePerRoom === false
  const problems = [...countProblems(result.counts, seats.length, scattered), ...tallied.filter((p) => !shortfalls.includes(p))]
  if (sut.expectOneNodePerRoom === true && roomsOnSeveralNodes > 0) problems.push(`${roomsOnSeveralNodes} rooms split over nodes`)
  if (sut.expectOneNodePerRoom === false && roomsOnSeveralNodes < rooms.length)
    problems.push(`${rooms.length - roomsOnSeveralNodes} rooms on one node only`)
  return {
    label: sut.label,
    joined: result.counts.joined,
    joinPhaseMs: result.joinPhaseMs,
    windowMs: spec.measure === 'join' ? 0 : result.activeMs,
    joinCpuMs: counted(joinUsage),
    windowCpuMs: counted(windowUsage),
    joinUsage,
    windowUsage,
    tally,
    fanoutP99: summarize(result.fanout).p99,
    fanoutCount: result.fanout.totalCount,
    rebalances: result.counts.rebalances,
    emitAckP99: summarize(result.emitAck).p99,
    rooms: rooms.length,
    roomsOnSeveralNodes,
    problems,
    shortfalls,
  }
}

function countProblems(c: RunCounts, seats: number, rebalancesExpected: boolean): string[] {
  const problems: string[] = []
  if (c.joined !== seats) problems.push(`${c.joined} of ${seats} sockets joined`)
  if (c.connectErrors) problems.push(`${c.connectErrors} connect errors`)
  for (const [code, n] of Object.entries(c.ackErrors)) problems.push(`${n} acks ${code}`)
  if (c.unexpectedDisconnects) problems.push(`${c.unexpectedDisconnects} unexpected disconnects`)
  if (c.rebalances && !rebalancesExpected) problems.push(`${c.rebalances} rebalances`)
  return problems
}
