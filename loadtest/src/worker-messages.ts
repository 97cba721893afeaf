import type { ActivityPlan } from '../k6/lib/plans.js'
import type { RunResult, Seat } from './room-users.js'

/** Driver → worker. */
export type ToWorker = { type: 'job'; seats: Seat[]; plan: ActivityPlan } | { type: 'go' } | { type: 'stop' } | { type: 'exit' }

/** Worker → driver. */
export type FromWorker =
  | { type: 'started' }
  | { type: 'ready' }
  | { type: 'done'; result: RunResult }
  | { type: 'failed'; message: string }
