import type { Room } from '@hangout/protocol'
import { type RoomRecords, type RoomsStore, roomFromDoc } from '@hangout/store'
import { PositiveCache } from './positive-cache.js'
import { SingleFlight } from './single-flight.js'

/**
 * Room lookup: this node's short cache of rooms found, then the rooms' records in Redis (the API
 * writes one per room it creates), then MongoDB (whose answer is written to Redis for the other
 * nodes). Rooms are never renamed or deleted.
 */
export class Rooms {
  private readonly cache = new PositiveCache<Room>(30_000)
  /** The joins of a storm into a room not cached ask the store once, and Redis once. */
  private readonly lookups = new SingleFlight<Room | undefined>()
  private readonly recordReads = new SingleFlight<Room | undefined>()

  constructor(
    private readonly store: RoomsStore,
    private readonly records: RoomRecords,
  ) {}

  /** Whether `find` answers without asking the store. */
  cached(roomId: string): boolean {
    return this.cache.get(roomId) !== undefined
  }

  async find(roomId: string): Promise<Room | undefined> {
    return this.cache.get(roomId) ?? this.lookups.run(roomId, () => this.lookUp(roomId))
  }

  /**
   * The room from this node's cache or its record in Redis (cached when found), without asking
   * MongoDB: undefined when neither has it (or Redis failed), and then only `find` can tell.
   */
  async recorded(roomId: string): Promise<Room | undefined> {
    const hit = this.cache.get(roomId)
    if (hit) return hit
    // Redis failing is no answer: MongoDB has the last word.
    const room = await this.recordReads.run(roomId, () => this.records.get(roomId).catch(() => undefined))
    if (room) this.cache.set(roomId, room)
    return room
  }

  private async lookUp(roomId: string): Promise<Room | undefined> {
    const recorded = await this.recorded(roomId)
    if (recorded) return recorded
    const room = await this.fromStore(roomId)
    if (room) this.cache.set(roomId, room)
    return room
  }

  private async fromStore(roomId: string): Promise<Room | undefined> {
    const doc = await this.store.findById(roomId)
    if (!doc) return undefined
    const room = roomFromDoc(doc)
    this.records.put(room).catch(() => undefined)
    return room
  }
}
