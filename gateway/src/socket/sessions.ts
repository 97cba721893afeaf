import type { VerifiedClaims } from '@hangout/protocol'
import { isTokenRevoked, parseRevocation, RedisKeys, type Revocation } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'

/** What a session needs of a socket: to be cut off. */
export interface Disconnectable {
  readonly connected: boolean
  disconnect(close: boolean): unknown
}

interface Entry {
  socket: Disconnectable
  claims: VerifiedClaims
  /** Set by a revocation that arrived while the handshake was still being checked. */
  revoked: boolean
  expiry: NodeJS.Timeout | undefined
}

/** setTimeout's longest wait; a token living longer is cut off by a later timer. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The tokens of this node's sockets: a socket is cut off when its token expires, and at once when
 * the API publishes its revocation (logout, or a deleted account) on `RedisKeys.revocations`. A
 * socket is tracked from the start of its handshake, so a revocation that arrives while the
 * handshake's own Redis check is in flight is not missed (`revoked()`). When the
 * subscription comes back after a Redis outage, messages sent meanwhile are lost: every tracked
 * token is then checked against Redis once.
 */
/** After a cluster node is lost: time for the subscription to move to another node before the keys are read. */
const RECHECK_AFTER_NODE_LOST_MS = 3000

export class Sessions {
  /** One token may open several sockets (tabs share it). */
  private readonly byJti = new Map<string, Set<Entry>>()
  private readonly byUser = new Map<string, Set<Entry>>()
  private subscribedBefore = false

  constructor(
    private readonly redis: RedisClient,
    /** A subscriber connection of its own (the adapter's carries its own message types). */
    private readonly subscriber: RedisClient,
    private readonly onCutOff: (reason: 'revoked' | 'token_expired') => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== RedisKeys.revocations) return
      const revocation = parseRevocation(message)
      if (revocation) this.apply(revocation)
    })
    this.subscriber.on('ready', () => {
      if (this.subscribedBefore) this.recheck().catch(this.onError)
    })
    // A Redis Cluster client stays ready when one node goes: its subscription moves to another node
    // (a failover, a node restarted), and what was published meanwhile is read back from the keys.
    this.subscriber.on('-node', () => {
      if (this.subscribedBefore) setTimeout(() => this.recheck().catch(this.onError), RECHECK_AFTER_NODE_LOST_MS).unref()
    })
    await this.subscriber.subscribe(RedisKeys.revocations)
    this.subscribedBefore = true
  }

  /**
   * Tracks a socket from its handshake on: `revoked()` tells whether a revocation came meanwhile,
   * `untrack` when the socket is gone (or refused).
   */
  track(socket: Disconnectable, claims: VerifiedClaims): { revoked(): boolean; untrack(): void } {
    const entry: Entry = { socket, claims, revoked: false, expiry: undefined }
    addTo(this.byJti, claims.jti, entry)
    addTo(this.byUser, claims.sub, entry)
    this.scheduleExpiry(entry)
    return {
      revoked: () => entry.revoked,
      untrack: () => {
        clearTimeout(entry.expiry)
        removeFrom(this.byJti, claims.jti, entry)
        removeFrom(this.byUser, claims.sub, entry)
      },
    }
  }

  /** Sockets tracked now. */
  get size(): number {
    let n = 0
    for (const set of this.byUser.values()) n += set.size
    return n
  }

  async close(): Promise<void> {
    for (const set of this.byUser.values()) for (const entry of set) clearTimeout(entry.expiry)
    this.subscriber.disconnect()
  }

  private scheduleExpiry(entry: Entry): void {
    const leftMs = entry.claims.exp * 1000 - Date.now()
    entry.expiry = setTimeout(
      () => (leftMs > MAX_TIMER_MS ? this.scheduleExpiry(entry) : this.cutOff(entry, 'token_expired')),
      Math.max(0, Math.min(leftMs, MAX_TIMER_MS)),
    )
    entry.expiry.unref()
  }

  private apply(revocation: Revocation): void {
    if ('jti' in revocation) {
      for (const entry of this.byJti.get(revocation.jti) ?? [])
        if (entry.claims.sub === revocation.userId) this.cutOff(entry, 'revoked')
      return
    }
    for (const entry of this.byUser.get(revocation.userId) ?? []) {
      if (entry.claims.iat * 1000 <= revocation.before) this.cutOff(entry, 'revoked')
    }
  }

  private cutOff(entry: Entry, reason: 'revoked' | 'token_expired'): void {
    entry.revoked = true
    if (!entry.socket.connected) return
    this.onCutOff(reason)
    entry.socket.disconnect(true)
  }

  /** Every tracked token against Redis, as the handshake checks it (one MGET per token, pipelined). */
  private async recheck(): Promise<void> {
    const entries = [...this.byUser.values()].flatMap((set) => [...set])
    // Sent together, one command each: on a Redis Cluster a pipeline may not span shards.
    const answers = await Promise.all(
      entries.map(({ claims }) =>
        this.redis.mget(RedisKeys.revokedToken(claims.sub, claims.jti), RedisKeys.userCutoff(claims.sub)),
      ),
    )
    entries.forEach((entry, i) => {
      const [revoked, cutoff] = answers[i] as [string | null, string | null]
      if (isTokenRevoked(entry.claims.iat, revoked, cutoff)) this.cutOff(entry, 'revoked')
    })
  }
}

function addTo(map: Map<string, Set<Entry>>, key: string, entry: Entry): void {
  let set = map.get(key)
  if (!set) {
    set = new Set()
    map.set(key, set)
  }
  set.add(entry)
}

function removeFrom(map: Map<string, Set<Entry>>, key: string, entry: Entry): void {
  const set = map.get(key)
  set?.delete(entry)
  if (set?.size === 0) map.delete(key)
}
