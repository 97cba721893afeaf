import type { Logger } from '@hangout/runtime'
import type { PublicUser } from '@hangout/protocol'
import type { Presence, PresenceTransition, SyncResult } from './presence.js'
import type { RoomMemory } from '../room/room-memory.js'
import { type LocalShare, RoomSync } from './room-sync.js'

interface Holder {
  user: PublicUser
  /** Ids of the user's sockets in the room here, those in their disconnect grace included. */
  sockets: Set<string>
}

/**
 * This node's share of presence, by socket: which sockets of which user are in which room here,
 * including sockets that disconnected and are still in their grace. Redis holds, per user and
 * node, the number of those sockets, written from here (`RoomSync`): a leave, a disconnect or a
 * crash removes exactly the sockets it concerns, a repeated one removes nothing more.
 */
export class Membership implements LocalShare {
  private readonly rooms = new Map<string, Map<string, Holder>>()
  /**
   * Sockets joining a room here, by room: their ack's participants are read by this node's script
   * for the room, after (or in the same script as) any transition this node announces meanwhile, so
   * a `user_joined` would only repeat them. In a join storm this keeps joiners that overlap from
   * being told of each other twice (once by the ack, once by a frame).
   */
  private readonly joiners = new Map<string, Set<string>>()
  private readonly graces = new Set<NodeJS.Timeout>()
  private gracesEnded: (() => void)[] = []
  private readonly writes: RoomSync

  constructor(
    private readonly presence: Presence,
    private readonly memory: RoomMemory,
    private readonly graceMs: number,
    /** A user appeared in a room (first socket anywhere); `except`: their sockets here and the sockets joining here. */
    private readonly onJoined: (roomId: string, user: PublicUser, count: number, except: string[]) => void,
    /** A user left a room for good (their last socket anywhere). */
    private readonly onLeft: (roomId: string, user: PublicUser, count: number) => void,
    log: Logger,
    retryMs: number,
  ) {
    this.writes = new RoomSync(presence, this, (roomId, t) => this.announce(roomId, t), log, retryMs)
  }

  /**
   * Counts the socket in the room; resolves with participants and state once Redis has it.
   * `withHistory`: and the room's recent history, read in the same script; when that cache is cold
   * the result has no history and, unless the user was in the room already, Redis was not written
   * (the user is in `skipped`): the caller reads the history, then joins again without it.
   */
  join(roomId: string, user: PublicUser, socketId: string, withHistory = false): Promise<SyncResult> {
    this.holder(roomId, user).sockets.add(socketId)
    if (!withHistory) return this.writes.write(roomId, [user], { snapshot: true })
    return this.writes.write(roomId, [user], { snapshot: 'history', condition: 'present or warm' })
  }

  /**
   * Counts the socket in the room at once if its user is in the room already (another tab, or their
   * previous connection in its disconnect grace: a reconnect or a rebalance): their presence then
   * no longer hangs on the rest of the join (the room lookup on a node that has not seen the room),
   * and no event can come of it. Answers whether it was counted; if not, nothing changed. A caller
   * that got true and does not go on to `join` takes the socket out with `leave`.
   */
  async claim(roomId: string, user: PublicUser, socketId: string): Promise<boolean> {
    const holder = this.holder(roomId, user)
    const added = !holder.sockets.has(socketId)
    holder.sockets.add(socketId)
    const result = await this.writes.write(roomId, [user], { condition: 'present' }).catch(() => undefined)
    if (result && !result.skipped.includes(user.id)) return true
    // Not written (the user is not in the room, or Redis failed: a retry then writes what is here, without it).
    if (added) this.remove(roomId, user.id, socketId)
    return false
  }

  /**
   * The socket is joining the room (it is in the room's broadcasts, its ack is not sent): until the
   * returned function is called, which the join does once its ack is decided, this node's
   * `user_joined` skip it, since its ack's participants are read after them.
   */
  joining(roomId: string, socketId: string): () => void {
    let sockets = this.joiners.get(roomId)
    if (!sockets) {
      sockets = new Set()
      this.joiners.set(roomId, sockets)
    }
    sockets.add(socketId)
    const joiners = sockets
    return () => {
      if (joiners.delete(socketId) && joiners.size === 0 && this.joiners.get(roomId) === joiners) this.joiners.delete(roomId)
    }
  }

  /** Takes the socket out; resolves once Redis has it, or once a retry is scheduled (it will get there). */
  async leave(roomId: string, user: PublicUser, socketId: string): Promise<void> {
    this.remove(roomId, user.id, socketId)
    await this.writes.write(roomId, [user]).catch(() => undefined)
  }

  /** Leaves after the grace, so that a reconnect within it is silent. */
  leaveLater(roomId: string, user: PublicUser, socketId: string): void {
    const timer = setTimeout(() => {
      this.graces.delete(timer)
      void this.leave(roomId, user, socketId)
      this.wakeIfNoGrace()
    }, this.graceMs)
    this.graces.add(timer)
  }

  /** Resolves when every grace has ended and Redis has every write. */
  async settled(): Promise<void> {
    while (this.graces.size > 0) await new Promise<void>((resolve) => this.gracesEnded.push(resolve))
    await this.writes.idle()
  }

  /**
   * Anti-entropy: writes the whole share of every room here and of every room Redis lists for this
   * node, which removes whatever this node's fields hold that its sockets do not (a write lost,
   * a leave whose reply never came) and announces the difference.
   */
  async reassert(listedRooms: string[]): Promise<void> {
    const rooms = new Set([...this.rooms.keys(), ...listedRooms])
    await Promise.all([...rooms].map((roomId) => this.writes.write(roomId, [], { full: true }).catch(() => undefined)))
  }

  get roomCount(): number {
    return this.rooms.size
  }

  sockets(roomId: string, userId: string): number {
    return this.rooms.get(roomId)?.get(userId)?.sockets.size ?? 0
  }

  users(roomId: string): PublicUser[] {
    return [...(this.rooms.get(roomId)?.values() ?? [])].map((holder) => holder.user)
  }

  /**
   * Forgets every socket and the rooms' state: another node reaped this one's presence (it was
   * frozen or cut off past its TTL). Graces running and writes in flight no longer count.
   */
  reset(): void {
    for (const timer of this.graces) clearTimeout(timer)
    this.graces.clear()
    this.wakeIfNoGrace()
    for (const roomId of this.rooms.keys()) this.memory.forget(roomId)
    this.rooms.clear()
    this.writes.reset()
  }

  /** The node stops: no more writes (its presence is removed whole, by its node id). */
  close(): void {
    for (const timer of this.graces) clearTimeout(timer)
    this.graces.clear()
    this.wakeIfNoGrace()
    this.writes.close()
  }

  /** Writes the node's share back as it is, silently, with the rooms' last known state: Redis lost its data. */
  async restore(): Promise<void> {
    const counts = new Map<string, Map<string, { name: string; sockets: number }>>()
    for (const [roomId, holders] of this.rooms) {
      counts.set(roomId, new Map([...holders].map(([userId, h]) => [userId, { name: h.user.name, sockets: h.sockets.size }])))
    }
    await this.presence.restore(counts, (roomId) => this.memory.fields(roomId))
    for (const [roomId, users] of counts) for (const [userId, { sockets }] of users) this.writes.confirm(roomId, userId, sockets)
  }

  private wakeIfNoGrace(): void {
    if (this.graces.size === 0) for (const wake of this.gracesEnded.splice(0)) wake()
  }

  private announce(roomId: string, { user, delta, count }: PresenceTransition): void {
    if (delta > 0) {
      const own = this.rooms.get(roomId)?.get(user.id)?.sockets ?? []
      this.onJoined(roomId, user, count, [...own, ...(this.joiners.get(roomId) ?? [])])
      return
    }
    this.memory.left(roomId, user.id)
    this.onLeft(roomId, user, count)
  }

  private holder(roomId: string, user: PublicUser): Holder {
    let holders = this.rooms.get(roomId)
    if (!holders) {
      holders = new Map()
      this.rooms.set(roomId, holders)
    }
    let holder = holders.get(user.id)
    if (!holder) {
      holder = { user, sockets: new Set() }
      holders.set(user.id, holder)
    }
    return holder
  }

  private remove(roomId: string, userId: string, socketId: string): void {
    const holders = this.rooms.get(roomId)
    const holder = holders?.get(userId)
    if (!holders || !holder) return
    holder.sockets.delete(socketId)
    if (holder.sockets.size > 0) return
    holders.delete(userId)
    if (holders.size === 0) this.rooms.delete(roomId)
  }
}
