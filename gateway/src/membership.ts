import type { PublicUser } from '@hangout/protocol'
import type { LocalRooms, Presence, PresenceChange } from './presence.js'
import type { RoomMemory } from './room-memory.js'

/**
 * This node's own share of presence: how many sockets each user has in each room here, including
 * sockets that disconnected and are still in their grace. Redis holds the same numbers; the local
 * copy lets the node write them back when Redis lost them, with the rooms' last known state.
 */
export class Membership {
  private readonly rooms: LocalRooms = new Map()
  private readonly pending = new Set<Promise<void>>()
  /** Bumped by `reset`: counts taken before it are no longer in Redis and must not be taken back out. */
  private epoch = 0

  constructor(
    private readonly presence: Presence,
    private readonly memory: RoomMemory,
    private readonly graceMs: number,
    /** Called when a user left a room for good (their last socket anywhere). */
    private readonly onLeft: (roomId: string, user: PublicUser, count: number) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Counts the socket here first, so a concurrent restore never writes a count lower than Redis has. */
  async join(roomId: string, user: PublicUser): Promise<PresenceChange> {
    const epoch = this.epoch
    this.add(roomId, user, 1)
    let change: PresenceChange
    try {
      change = await this.presence.join(roomId, user)
    } catch (err) {
      if (epoch === this.epoch) this.add(roomId, user, -1)
      throw err
    }
    if (epoch !== this.epoch) {
      // A reset came while this join was on its way: its count was forgotten here, take it out of Redis too.
      await this.presence.leave(roomId, user.id, !this.rooms.has(roomId))
      throw new Error('presence was reset during the join')
    }
    return change
  }

  async leave(roomId: string, user: PublicUser): Promise<void> {
    const lastHere = this.add(roomId, user, -1)
    const change = await this.presence.leave(roomId, user.id, lastHere)
    if (change.changed) {
      this.memory.left(roomId, user.id)
      this.onLeft(roomId, user, change.count)
    }
  }

  /** Leaves after the grace, so that a reconnect within it is silent. */
  leaveLater(roomId: string, user: PublicUser): void {
    const epoch = this.epoch
    const done: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, this.graceMs))
      .then(() => (epoch === this.epoch ? this.leave(roomId, user) : undefined))
      .catch(this.onError)
      .finally(() => this.pending.delete(done))
    this.pending.add(done)
  }

  /** Resolves when every grace that is running has ended. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending])
  }

  get roomCount(): number {
    return this.rooms.size
  }

  /**
   * Forgets every count and the rooms' state: another node reaped this one's presence (it was
   * frozen or cut off past its TTL). Graces running and joins in flight no longer count.
   */
  reset(): void {
    this.epoch++
    for (const roomId of this.rooms.keys()) this.memory.forget(roomId)
    this.rooms.clear()
  }

  restore(): Promise<void> {
    return this.presence.restore(this.rooms, (roomId) => this.memory.fields(roomId))
  }

  /** Answers whether this emptied the room on this node (which then forgets its state). */
  private add(roomId: string, user: PublicUser, delta: number): boolean {
    let users = this.rooms.get(roomId)
    if (!users) {
      users = new Map()
      this.rooms.set(roomId, users)
    }
    const sockets = (users.get(user.id)?.sockets ?? 0) + delta
    if (sockets > 0) users.set(user.id, { name: user.name, sockets })
    else users.delete(user.id)
    if (users.size > 0) return false
    this.rooms.delete(roomId)
    this.memory.forget(roomId)
    return true
  }
}
