import { ensureIndex } from '@hangout/infra/mongo-index'
import { Collections, type RoomDoc } from '@hangout/protocol'
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

    /** The newest rooms first. */
    newest(limit: number): Promise<RoomDoc[]> {
      return rooms.find({}).sort({ createdAt: -1, _id: 1 }).limit(limit).toArray()
    },
  }
}
export type RoomsStore = ReturnType<typeof roomsStore>
