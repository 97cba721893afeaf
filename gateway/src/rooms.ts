import { Collections, type Room, type RoomDoc, roomFromDoc } from '@hangout/protocol'
import type { Db } from 'mongodb'
import { PositiveCache } from './positive-cache.js'

/** Room lookup in MongoDB with a short cache of rooms found (rooms are never renamed or deleted). */
export class Rooms {
  private readonly cache = new PositiveCache<Room>(30_000)

  constructor(private readonly db: Db) {}

  async find(roomId: string): Promise<Room | undefined> {
    const hit = this.cache.get(roomId)
    if (hit) return hit
    const doc = await this.db.collection<RoomDoc>(Collections.rooms).findOne({ _id: roomId })
    if (!doc) return undefined
    const room = roomFromDoc(doc)
    this.cache.set(roomId, room)
    return room
  }
}
