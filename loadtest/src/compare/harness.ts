/** The comparison harness's pure parts: arm order, median and range, the planned-vs-delivered check. */
import type { ActivityPlan } from '../../k6/lib/plans.js'
import type { RunCounts } from '../room-users.js'

export type ArmKind = 'A' | 'B'

export interface ArmSlot {
  kind: ArmKind
  /** Warm-up arms run first and are discarded. */
  warmup: boolean
  /** The pair (0-based) a measured arm belongs to; -1 for warm-up. */
  pair: number
}

/**
 * A warm-up of each arm (discarded; `warmup` false skips it, for the later cases of a comparison
 * whose processes are already warm), then `pairs` pairs alternating A B, B A, A B...: A B B A A B
 * for three pairs, so neither arm is always first or always follows the other.
 */
export function abbaOrder(pairs: number, warmup = true): ArmSlot[] {
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`pairs must be a positive integer, got ${pairs}`)
  const slots: ArmSlot[] = warmup
    ? [
        { kind: 'A', warmup: true, pair: -1 },
        { kind: 'B', warmup: true, pair: -1 },
      ]
    : []
  for (let pair = 0; pair < pairs; pair++) {
    const kinds: ArmKind[] = pair % 2 === 0 ? ['A', 'B'] : ['B', 'A']
    for (const kind of kinds) slots.push({ kind, warmup: false, pair })
  }
  return slots
}

export interface Spread {
  median: number
  min: number
  max: number
  n: number
}

/** Median (mean of the middle two for an even count), smallest and largest; NaN values are an error. */
export function spread(values: number[]): Spread {
  if (values.length === 0) throw new Error('no values')
  if (values.some((v) => Number.isNaN(v))) throw new Error(`a value is NaN: ${values.join(', ')}`)
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, n: values.length }
}

/** The ratio A / B of each pair (both arms of a pair ran next to each other). */
export function pairRatios(a: number[], b: number[]): number[] {
  if (a.length !== b.length) throw new Error(`${a.length} A arms against ${b.length} B arms`)
  return a.map((value, i) => value / (b[i] as number))
}

export interface EventTally {
  /** Events the plan says the seats emit over the window: seats × rate × seconds. */
  planned: number
  sent: number
  acked: number
  delivered: number
  /** acked × recipients per broadcast. */
  expectedDeliveries: number
}

/** Events one seat emits at `perSec` over `windowS`: the first comes at a random phase within the first period. */
export function plannedEvents(seats: number, perSec: number, windowS: number): number {
  return seats * perSec * windowS
}

/**
 * What is wrong with a window's counts: sent far from planned (the generator fell behind, or the
 * window was cut), acks missing, deliveries different from what the acked broadcasts owe.
 * `tolerance` is the share sent may miss planned by (each seat's random phase costs up to one event).
 */
export function tallyProblems(t: EventTally, tolerance = 0.05): string[] {
  const problems: string[] = []
  if (t.planned > 0 && Math.abs(t.sent - t.planned) > t.planned * tolerance)
    problems.push(`sent ${t.sent} events, planned ${Math.round(t.planned)} (off by more than ${tolerance * 100} %)`)
  if (t.acked < t.sent) problems.push(`${t.sent - t.acked} of ${t.sent} events not acked`)
  if (t.delivered !== t.expectedDeliveries)
    problems.push(`delivered ${t.delivered}, the acked broadcasts owe ${t.expectedDeliveries}`)
  return problems
}

/** Server event each client event is delivered as, and whether the sender gets it too (CONTRACT.md). */
const DELIVERED_AS = {
  message: { event: 'message', toSender: true },
  click_event: { event: 'user_clicked', toSender: false },
  scroll_update: { event: 'scroll_updated', toSender: false },
  page_change: { event: 'page_changed', toSender: false },
} as const

const RATE_OF = {
  message: 'chatPerSec',
  click_event: 'clickPerSec',
  scroll_update: 'scrollPerSec',
  page_change: 'pagePerSec',
} as const

/** Planned, sent, acked and delivered room events of a window, and the deliveries the acked ones owe. */
export function tallyOf(
  counts: RunCounts,
  spec: { plan: ActivityPlan; windowMs: number; roomSize: number },
  seats: number,
): EventTally {
  let planned = 0
  let sent = 0
  let acked = 0
  let delivered = 0
  let expectedDeliveries = 0
  for (const [client, { event, toSender }] of Object.entries(DELIVERED_AS) as [
    keyof typeof DELIVERED_AS,
    (typeof DELIVERED_AS)[keyof typeof DELIVERED_AS],
  ][]) {
    planned += plannedEvents(seats, spec.plan[RATE_OF[client]], spec.windowMs / 1000)
    sent += counts.sent[client] ?? 0
    const ok = counts.acked[client] ?? 0
    acked += ok
    delivered += counts.delivered[event] ?? 0
    expectedDeliveries += ok * (toSender ? spec.roomSize : spec.roomSize - 1)
  }
  return { planned, sent, acked, delivered, expectedDeliveries }
}
