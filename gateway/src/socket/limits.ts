import type { ClientEventName } from '@hangout/protocol'

/** A token bucket: `capacity` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number
  private at = Date.now()

  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity
  }

  take(): boolean {
    const now = Date.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond)
    this.at = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

export type EventLimits = Record<ClientEventName, { perSecond: number; burst: number }>

/** Rate per second and burst of each client event, per socket (the defaults; chat's can be configured). */
export const EVENT_LIMITS: EventLimits = {
  join_room: { perSecond: 5, burst: 10 },
  leave_room: { perSecond: 5, burst: 10 },
  message: { perSecond: 5, burst: 10 },
  click_event: { perSecond: 10, burst: 10 },
  page_change: { perSecond: 10, burst: 10 },
  scroll_update: { perSecond: 30, burst: 30 },
  // The web app sends `typing` at most every 2 s; pointers are coalesced to 20/s per user on the way out.
  typing: { perSecond: 2, burst: 10 },
  pointer_move: { perSecond: 60, burst: 60 },
  edit_message: { perSecond: 5, burst: 10 },
  delete_message: { perSecond: 5, burst: 10 },
}

/** Rooms one socket may have joined at once (the web app and the load tests use one a socket). */
export const ROOMS_PER_SOCKET = 10

/** Refused events a socket may pile up (refilled at 5/s) before it counts as flooding and is cut off. */
const STRIKES = { perSecond: 5, burst: 50 }

/** One socket's limits. */
export class SocketLimits {
  private readonly buckets = new Map<ClientEventName, TokenBucket>()
  private readonly strikes = new TokenBucket(STRIKES.perSecond, STRIKES.burst)

  constructor(private readonly limits: EventLimits = EVENT_LIMITS) {}

  /** True when the event may go on. */
  allow(event: ClientEventName): boolean {
    let bucket = this.buckets.get(event)
    if (!bucket) {
      const { perSecond, burst } = this.limits[event]
      bucket = new TokenBucket(perSecond, burst)
      this.buckets.set(event, bucket)
    }
    return bucket.take()
  }

  /** Records a refused event; false when the socket keeps flooding and must be disconnected. */
  strike(): boolean {
    return this.strikes.take()
  }
}
