import type { Logger } from '@hangout/runtime'
import type { PublicUser } from '@hangout/protocol'
import type { Presence, PresenceTransition, ShareEntry, Snapshot, SyncResult, WriteCondition } from './presence.js'

/** What this node holds locally, the truth that `RoomSync` copies into Redis. */
export interface LocalShare {
  /** The user's sockets in the room on this node (those in their disconnect grace included). */
  sockets(roomId: string, userId: string): number
  /** The users with sockets in the room on this node. */
  users(roomId: string): PublicUser[]
}

interface Waiter {
  resolve: (result: SyncResult) => void
  reject: (err: unknown) => void
}

/** One room's writes: at most one in flight; what comes meanwhile is batched into the next. */
interface RoomQueue {
  users: Map<string, PublicUser>
  /** Users queued only by conditional writes (a claim, a join reading its history in the script), by condition. */
  conditions: Map<string, WriteCondition>
  full: boolean
  snapshot: Snapshot
  waiters: Waiter[]
  running: boolean
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined
}

/**
 * Copies this node's share of each room into Redis, one room's writes in series. A write carries
 * absolute socket counts read from the local truth at the moment it is sent, so a repeated or
 * superseded write is harmless and the last one sent wins. Changes that arrive in the same tick
 * or while the room's previous write is in flight go out together in one script (a join storm
 * costs one round trip per room per write, not one per socket). A write that failed is retried
 * until Redis has the local truth; its transitions (a user appearing or vanishing) are announced
 * once, by the write that Redis confirms.
 */
export class RoomSync {
  private readonly queues = new Map<string, RoomQueue>()
  /** The node's count per room and user as Redis last confirmed it. */
  private readonly confirmed = new Map<string, Map<string, number>>()
  /** Users whose last write failed: Redis may or may not have applied it. */
  private readonly suspect = new Map<string, Set<string>>()
  private idleWaiters: (() => void)[] = []
  /** Bumped by `reset`: writes sent before it no longer count. */
  private epoch = 0
  private closed = false
  private failing = false

  constructor(
    private readonly presence: Presence,
    private readonly local: LocalShare,
    private readonly onTransition: (roomId: string, transition: PresenceTransition) => void,
    private readonly log: Logger,
    private readonly retryMs: number,
  ) {}

  /**
   * Writes the users' share of the room (`full`: the whole share, removing this node's fields of
   * anyone not here); `snapshot`: the result carries participants and state after the write
   * ('history': and the room's recent history, read in the same script).
   */
  write(
    roomId: string,
    users: PublicUser[],
    options: { full?: boolean; snapshot?: Snapshot; condition?: WriteCondition } = {},
  ): Promise<SyncResult> {
    if (this.closed) return Promise.reject(new Error('presence writes are closed'))
    const queue = this.queue(roomId)
    for (const user of users) {
      // A user's write keeps the least strict condition asked for it (none: unconditional).
      const asked = queue.users.has(user.id) ? leastStrict(queue.conditions.get(user.id), options.condition) : options.condition
      if (asked) queue.conditions.set(user.id, asked)
      else queue.conditions.delete(user.id)
      queue.users.set(user.id, user)
    }
    queue.full ||= options.full === true
    queue.snapshot = widest(queue.snapshot, options.snapshot ?? false)
    const result = new Promise<SyncResult>((resolve, reject) => queue.waiters.push({ resolve, reject }))
    // The next tick, so that the joins of a storm that arrive together share one script.
    if (!queue.running && queue.timer === undefined) queue.timer = setImmediate(() => this.run(roomId))
    return result
  }

  /** Redis holds these counts now (written back by a restore). */
  confirm(roomId: string, userId: string, sockets: number): void {
    this.setConfirmed(roomId, userId, sockets)
    const suspect = this.suspect.get(roomId)
    if (suspect?.delete(userId) && suspect.size === 0) this.suspect.delete(roomId)
  }

  /** Resolves when no write is pending or in flight (one that keeps failing keeps this waiting). */
  idle(): Promise<void> {
    if (this.queues.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Forgets what Redis confirmed and drops pending writes: this node's presence was removed under it. */
  reset(): void {
    this.epoch++
    this.presence.forgetListed()
    this.confirmed.clear()
    this.suspect.clear()
    for (const [roomId, queue] of this.queues) {
      if (queue.timer !== undefined && !queue.running) this.clearTimer(queue)
      for (const waiter of queue.waiters.splice(0)) waiter.reject(new Error('presence was reset during the write'))
      queue.users.clear()
      queue.conditions.clear()
      queue.full = false
      queue.snapshot = false
      if (!queue.running) this.queues.delete(roomId)
    }
    this.checkIdle()
  }

  /** No write is sent after this; those waiting are refused. */
  close(): void {
    this.closed = true
    for (const queue of this.queues.values()) {
      this.clearTimer(queue)
      for (const waiter of queue.waiters.splice(0)) waiter.reject(new Error('presence writes are closed'))
    }
    this.queues.clear()
    this.checkIdle()
  }

  private queue(roomId: string): RoomQueue {
    let queue = this.queues.get(roomId)
    if (!queue) {
      queue = {
        users: new Map(),
        conditions: new Map(),
        full: false,
        snapshot: false,
        waiters: [],
        running: false,
        timer: undefined,
      }
      this.queues.set(roomId, queue)
    }
    return queue
  }

  private run(roomId: string): void {
    const queue = this.queues.get(roomId)
    if (!queue || this.closed) return
    queue.timer = undefined
    const { full, snapshot, waiters, conditions } = queue
    const users = full ? mergeUsers(this.local.users(roomId), queue.users) : [...queue.users.values()]
    queue.users = new Map()
    queue.conditions = new Map()
    queue.full = false
    queue.snapshot = false
    queue.waiters = []
    queue.running = true
    const suspect = this.suspect.get(roomId)
    const entries: ShareEntry[] = users.map((user) => ({
      user,
      sockets: this.local.sockets(roomId, user.id),
      assumed: suspect?.has(user.id) ? (this.confirmed.get(roomId)?.get(user.id) ?? 0) : undefined,
      condition: conditions.get(user.id),
    }))
    const hasLocal = this.local.users(roomId).length > 0
    const epoch = this.epoch
    this.presence.sync(roomId, entries, { full, snapshot, hasLocal }).then(
      (result) => {
        if (epoch === this.epoch) {
          const skipped = new Set(result.skipped)
          for (const { user, sockets } of entries) if (!skipped.has(user.id)) this.confirm(roomId, user.id, sockets)
          for (const transition of result.transitions) this.onTransition(roomId, transition)
          if (this.failing) this.log.info('presence writes succeed again')
          this.failing = false
        }
        for (const waiter of waiters) waiter.resolve(result)
        this.finished(roomId, queue, false)
      },
      (err: unknown) => {
        if (epoch === this.epoch && !this.closed) {
          let marked = this.suspect.get(roomId)
          if (!marked) {
            marked = new Set()
            this.suspect.set(roomId, marked)
          }
          for (const { user, condition } of entries) {
            marked.add(user.id)
            if (queue.users.has(user.id)) continue
            queue.users.set(user.id, user)
            if (condition) queue.conditions.set(user.id, condition)
          }
          queue.full ||= full
          if (!this.failing) this.log.error({ err }, 'presence writes fail; retried every heartbeat')
          this.failing = true
        }
        for (const waiter of waiters) waiter.reject(err)
        this.finished(roomId, queue, true)
      },
    )
  }

  private finished(roomId: string, queue: RoomQueue, failed: boolean): void {
    queue.running = false
    if (this.closed) return
    const pending = queue.users.size > 0 || queue.full || queue.waiters.length > 0
    if (!pending) {
      this.queues.delete(roomId)
      this.checkIdle()
      return
    }
    // After a failure, wait a little: Redis is away or slow, and hammering it helps nobody.
    queue.timer = failed ? setTimeout(() => this.run(roomId), this.retryMs) : setImmediate(() => this.run(roomId))
  }

  private clearTimer(queue: RoomQueue): void {
    if (queue.timer === undefined) return
    clearTimeout(queue.timer as NodeJS.Timeout)
    clearImmediate(queue.timer as NodeJS.Immediate)
    queue.timer = undefined
  }

  private setConfirmed(roomId: string, userId: string, sockets: number): void {
    let users = this.confirmed.get(roomId)
    if (sockets > 0) {
      if (!users) {
        users = new Map()
        this.confirmed.set(roomId, users)
      }
      users.set(userId, sockets)
    } else if (users) {
      users.delete(userId)
      if (users.size === 0) this.confirmed.delete(roomId)
    }
  }

  private checkIdle(): void {
    if (this.queues.size > 0) return
    for (const wake of this.idleWaiters.splice(0)) wake()
  }
}

const STRICTNESS: Record<WriteCondition, number> = { 'present or warm': 1, present: 2 }

/** Of two conditions on one user's write, the one that writes more often (undefined: always). */
function leastStrict(a: WriteCondition | undefined, b: WriteCondition | undefined): WriteCondition | undefined {
  if (!a || !b) return undefined
  return STRICTNESS[a] <= STRICTNESS[b] ? a : b
}

/** A batched write answers what the widest of its callers asked for. */
function widest(a: Snapshot, b: Snapshot): Snapshot {
  if (a === 'history' || b === 'history') return 'history'
  return a || b
}

function mergeUsers(here: PublicUser[], asked: Map<string, PublicUser>): PublicUser[] {
  const all = new Map(asked)
  for (const user of here) all.set(user.id, user)
  return [...all.values()]
}
