/**
 * What each scenario's users do, shared by the k6 scripts and the Node driver (loadtest/src), so
 * both run the same load. Pure: no k6 or Node APIs.
 */

export const SCENARIOS = ['join-storm', 'chat-fanout', 'co-browse', 'co-pointer', 'soak'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

/** Events per second one user emits, once joined and after the warm-up. */
export interface ActivityPlan {
  chatPerSec: number
  scrollPerSec: number
  clickPerSec: number
  pagePerSec: number
  /** Live pointer moves (pointer_move); none when absent. */
  pointerPerSec?: number
  /** Wait after connecting before emitting, so that rooms fill up first. */
  warmupMs: number
}

export interface ScenarioShape {
  rooms: number
  usersPerRoom: number
  /** Per room: chat messages per second (chat-fanout, soak) or scroll updates per second (co-browse). */
  rate: number
  durationS: number
}

export const SCENARIO_DEFAULTS: Record<ScenarioName, ScenarioShape> = {
  'join-storm': { rooms: 50, usersPerRoom: 10, rate: 1, durationS: 10 },
  'chat-fanout': { rooms: 20, usersPerRoom: 10, rate: 5, durationS: 30 },
  'co-browse': { rooms: 20, usersPerRoom: 5, rate: 40, durationS: 30 },
  // chat-fanout's rooms and chat, with every one of the 10 people moving a pointer (what a moving mouse sends through the web app's 50 ms throttle).
  'co-pointer': { rooms: 20, usersPerRoom: 10, rate: 5, durationS: 30 },
  soak: { rooms: 50, usersPerRoom: 10, rate: 2, durationS: 30 * 60 },
}

/** The gateway's per-socket limit on scroll updates is 30/s: stay under it. */
const MAX_SCROLL_PER_USER = 25
/** The web app sends a moving pointer at most every 50 ms. */
const POINTER_PER_USER = 20
/** ... and on chat messages 5/s. */
const MAX_CHAT_PER_USER = 5

export function activityPlan(name: ScenarioName, shape: Pick<ScenarioShape, 'usersPerRoom' | 'rate'>): ActivityPlan {
  const perUser = shape.rate / shape.usersPerRoom
  switch (name) {
    case 'join-storm':
      return { chatPerSec: 0, scrollPerSec: 0, clickPerSec: 0, pagePerSec: 0, warmupMs: 0 }
    case 'chat-fanout':
      return { chatPerSec: Math.min(MAX_CHAT_PER_USER, perUser), scrollPerSec: 0, clickPerSec: 0, pagePerSec: 0, warmupMs: 2000 }
    case 'co-browse':
      return {
        chatPerSec: 0,
        scrollPerSec: Math.min(MAX_SCROLL_PER_USER, perUser),
        clickPerSec: 1,
        pagePerSec: 0.2,
        warmupMs: 2000,
      }
    case 'co-pointer':
      return {
        chatPerSec: Math.min(MAX_CHAT_PER_USER, perUser),
        scrollPerSec: 0,
        clickPerSec: 0,
        pagePerSec: 0,
        pointerPerSec: POINTER_PER_USER,
        warmupMs: 2000,
      }
    case 'soak':
      return {
        chatPerSec: Math.min(MAX_CHAT_PER_USER, perUser),
        scrollPerSec: 1,
        clickPerSec: 0.2,
        pagePerSec: 0.05,
        warmupMs: 5000,
      }
  }
}

/** Chat texts carry the sender and its clock, so that receivers measure sender-to-receiver latency. */
const LATENCY_TAG = 'lt'

export function latencyText(sender: string, sentAtMs: number): string {
  return `${LATENCY_TAG} ${sender} ${sentAtMs}`
}

export function parseLatencyText(text: string): { sender: string; sentAtMs: number } | undefined {
  const [tag, sender, sentAt] = text.split(' ')
  const sentAtMs = Number(sentAt)
  if (tag !== LATENCY_TAG || !sender || !Number.isFinite(sentAtMs)) return undefined
  return { sender, sentAtMs }
}
