import type { MembershipPair, MembershipsStore } from '@hangout/store'
import { PositiveCache } from './positive-cache.js'

/** How long a recorded membership is not written again by this node (its "last used" is that coarse). */
const RECORDED_TTL_MS = 10 * 60_000
/** How long a membership waits for others to share its write: a join storm costs a few commands, not one per join. */
const BATCH_MS = 25
/** A batch this large is written at once. */
const BATCH_MAX = 500
/** How often at most a failed write is logged. */
const FAILURE_LOG_MS = 10_000

/**
 * join_room makes the user a member of the room (CONTRACT: the link is the invitation), as the
 * API's POST /rooms/join does. The write is an upsert sent after the join's ack, never awaited by
 * it: a join reads and writes no database. The upserts of the joins of a few milliseconds go in
 * one command. Each node writes a user+room at most once per 10 minutes; a write that fails is not
 * remembered, so the next join tries again.
 */
export class MemberRecords {
  private readonly recorded = new PositiveCache<true>(RECORDED_TTL_MS)
  /** Keys queued or being written. */
  private readonly inFlight = new Set<string>()
  private queued: MembershipPair[] = []
  private timer: NodeJS.Timeout | undefined
  private readonly writes = new Set<Promise<void>>()
  private loggedAt = 0

  constructor(
    private readonly store: MembershipsStore,
    private readonly onError: (err: unknown) => void,
  ) {}

  record(userId: string, roomId: string): void {
    const key = keyOf({ userId, roomId })
    if (this.recorded.get(key) || this.inFlight.has(key)) return
    this.inFlight.add(key)
    this.queued.push({ userId, roomId })
    if (this.queued.length >= BATCH_MAX) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS)
  }

  /** Writes what is queued now, and resolves once every write sent has ended (the node stops). */
  async settled(): Promise<void> {
    this.flush()
    await Promise.all(this.writes)
  }

  private flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.queued
    if (batch.length === 0) return
    this.queued = []
    const write = this.store
      .recordMany(batch)
      .then(
        () => {
          for (const pair of batch) this.recorded.set(keyOf(pair), true)
        },
        (err: unknown) => {
          if (Date.now() - this.loggedAt < FAILURE_LOG_MS) return
          this.loggedAt = Date.now()
          this.onError(err)
        },
      )
      .finally(() => {
        for (const pair of batch) this.inFlight.delete(keyOf(pair))
        this.writes.delete(write)
      })
    this.writes.add(write)
  }
}

const keyOf = ({ userId, roomId }: MembershipPair) => `${userId}|${roomId}`
