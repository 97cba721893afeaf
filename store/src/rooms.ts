import { ensureIndex } from './mongo-index.js'
import { Collections, type RoomDoc } from './layout.js'
import type { Db } from 'mongodb'

export function roomsStore(db: Db) {
  const rooms = db.collection<RoomDoc>(Collections.rooms)
  return {
    async ensureIndexes(): Promise<void> {
      await ensureIndex(rooms, { key: { createdAt: -1 }, name: 'createdAt_desc' })
    },

    async create(doc: RoomDoc): Promise<void> {
      await rooms.insertOne(doc)
    },

    findById(id: string): Promise<RoomDoc | null> {
      return rooms.findOne({ _id: id })
    },

    /** These rooms, in the order of `ids` (ids of no room are left out). */
    async byIds(ids: string[]): Promise<RoomDoc[]> {
      if (ids.length === 0) return []
      const found = new Map((await rooms.find({ _id: { $in: ids } }).toArray()).map((doc) => [doc._id, doc]))
      return ids.flatMap((id) => found.get(id) ?? [])
    },
  }
}
export type RoomsStore = ReturnType<typeof roomsStore>
