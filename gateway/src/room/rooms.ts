import type { Room } from '@hangout/protocol'
import { type RoomsStore, roomFromDoc } from '@hangout/store'
import { PositiveCache } from './positive-cache.js'

/** Room lookup with a short cache of rooms found (rooms are never renamed or deleted). */
export class Rooms {
  private readonly cache = new PositiveCache<Room>(30_000)

  constructor(private readonly store: RoomsStore) {}

  /** Whether `find` answers without asking the store. */
  cached(roomId: string): boolean {
    return this.cache.get(roomId) !== undefined
  }

  async find(roomId: string): Promise<Room | undefined> {
    const hit = this.cache.get(roomId)
    if (hit) return hit
    const doc = await this.store.findById(roomId)
    if (!doc) return undefined
    const room = roomFromDoc(doc)
    this.cache.set(roomId, room)
    return room
  }
}
