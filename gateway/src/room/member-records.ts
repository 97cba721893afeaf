import type { MembershipsStore } from '@hangout/store'
import { PositiveCache } from './positive-cache.js'

/** How long a recorded membership is not written again by this node (its "last used" is that coarse). */
const RECORDED_TTL_MS = 10 * 60_000
/** How often at most a failed write is logged. */
const FAILURE_LOG_MS = 10_000

/**
 * join_room makes the user a member of the room (CONTRACT: the link is the invitation), as the
 * API's POST /rooms/join does. The write is an upsert sent after the join's ack, never awaited by
 * it: a join reads and writes no database. Each node writes a user+room at most once per 10
 * minutes; a write that fails is not remembered, so the next join tries again.
 */
export class MemberRecords {
  private readonly recorded = new PositiveCache<true>(RECORDED_TTL_MS)
  private readonly inFlight = new Set<string>()
  private loggedAt = 0

  constructor(
    private readonly store: MembershipsStore,
    private readonly onError: (err: unknown) => void,
  ) {}

  record(userId: string, roomId: string): void {
    const key = `${userId}|${roomId}`
    if (this.recorded.get(key) || this.inFlight.has(key)) return
    this.inFlight.add(key)
    this.store
      .record(userId, roomId)
      .then(
        () => this.recorded.set(key, true),
        (err: unknown) => {
          if (Date.now() - this.loggedAt < FAILURE_LOG_MS) return
          this.loggedAt = Date.now()
          this.onError(err)
        },
      )
      .finally(() => this.inFlight.delete(key))
  }
}
