import { INITIAL_ROOM_STATE, type RoomState, type ServerToClientEvents } from '@hangout/protocol'
import { encodeRoomState } from '@hangout/store'

interface Remembered {
  page?: number
  top?: number
  highlights: Map<string, number>
}

/**
 * The last known shared state (page, top, highlights) of each room this node serves. The node sees
 * every update of those rooms: its own sockets' events, and the broadcasts it delivers to its
 * sockets (`observe`), from the room's first local join (`track`) until its last local socket
 * leaves (`forget`): so it is at least as new as Redis (written behind it), and a join's snapshot is
 * this memory over what Redis holds. When Redis lost its data, this is what the node writes back.
 */
export class RoomMemory {
  private readonly rooms = new Map<string, Remembered>()

  /** The room's first local socket joins: what happens in the room from now on is remembered. */
  track(roomId: string): void {
    this.room(roomId)
  }

  /** The room as read from Redis on a join: fills only what this node does not know already (it may be newer). */
  seed(roomId: string, state: RoomState): void {
    const room = this.rooms.get(roomId)
    if (!room) return
    room.page ??= state.page
    room.top ??= state.top
    for (const [userId, productId] of Object.entries(state.highlights)) {
      if (!room.highlights.has(userId)) room.highlights.set(userId, productId)
    }
  }

  page(roomId: string, page: number): void {
    const room = this.rooms.get(roomId)
    if (room) room.page = page
  }

  top(roomId: string, top: number): void {
    const room = this.rooms.get(roomId)
    if (room) room.top = top
  }

  highlight(roomId: string, userId: string, productId: number): void {
    this.rooms.get(roomId)?.highlights.set(userId, productId)
  }

  /** The user left the room for good: their highlight goes with them. */
  left(roomId: string, userId: string): void {
    this.rooms.get(roomId)?.highlights.delete(userId)
  }

  /** This node no longer serves the room (its last local socket left). */
  forget(roomId: string): void {
    this.rooms.delete(roomId)
  }

  /** A broadcast this node delivers to its sockets (its own and other nodes'), once per broadcast. */
  observe<E extends keyof ServerToClientEvents>(event: E, payload: Parameters<ServerToClientEvents[E]>[0]): void {
    if (typeof payload !== 'object' || payload === null || !this.rooms.has(payload.roomId)) return
    const p = payload as Record<string, unknown> & { roomId: string; user: { id: string } }
    if (event === 'user_clicked') this.highlight(p.roomId, p.user.id, p.productId as number)
    else if (event === 'scroll_updated') this.top(p.roomId, p.top as number)
    else if (event === 'page_changed') this.page(p.roomId, p.page as number)
    else if (event === 'user_leaved') this.left(p.roomId, p.user.id)
  }

  /** The room's state as this node knows it, the initial values where it knows nothing. */
  state(roomId: string): RoomState {
    const room = this.rooms.get(roomId)
    return {
      page: room?.page ?? INITIAL_ROOM_STATE.page,
      top: room?.top ?? INITIAL_ROOM_STATE.top,
      highlights: Object.fromEntries(room?.highlights ?? []),
    }
  }

  /** The state hash's fields as this node last knew them (nothing for a room it does not know). */
  fields(roomId: string): [string, string][] {
    const room = this.rooms.get(roomId)
    return room ? encodeRoomState(room) : []
  }

  get size(): number {
    return this.rooms.size
  }

  private room(roomId: string): Remembered {
    let room = this.rooms.get(roomId)
    if (!room) {
      room = { highlights: new Map() }
      this.rooms.set(roomId, room)
    }
    return room
  }
}
