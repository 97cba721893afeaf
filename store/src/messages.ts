import { Collections, MESSAGES_CLIENT_INDEX, MESSAGES_INDEX, type MessageDoc } from './layout.js'
import { MONGO_DUPLICATE_KEY } from './errors.js'
import { ensureIndex } from './mongo-index.js'
import { type Db, type Filter, MongoBulkWriteError, MongoServerError } from 'mongodb'

/** A document the batch's insert refused: its index in the batch, the server's code (11000: a duplicate key). */
export interface RefusedInsert {
  index: number
  code: unknown
  err: unknown
}

/** Chat history, every query of the messages collection: the gateways write it, the API pages through it. */
export function messagesStore(db: Db) {
  const messages = db.collection<MessageDoc>(Collections.messages)
  /** The author's conditional update of a message not deleted; the document after it, or null when none matched. */
  const updateOwn = (roomId: string, userId: string, id: string, set: Partial<MessageDoc>) =>
    messages.findOneAndUpdate({ _id: id, roomId, userId, deleted: { $ne: true } }, { $set: set }, { returnDocument: 'after' })
  return {
    async ensureIndexes(): Promise<void> {
      await ensureIndex(messages, MESSAGES_INDEX)
      await ensureIndex(messages, MESSAGES_CLIENT_INDEX)
    },

    async insert(doc: MessageDoc): Promise<void> {
      await messages.insertOne(doc)
    },

    /**
     * One unordered insertMany (insertOne for a single document): answers the documents refused
     * (the others are stored). Throws when the answer does not account for every document (the
     * driver reports a lost connection as a MongoBulkWriteError too): then which ones were stored is unknown.
     */
    async insertBatch(docs: MessageDoc[]): Promise<RefusedInsert[]> {
      if (!docs.length) return []
      const [only] = docs
      // One document (most batches, below a few hundred messages a second per node): insertOne, not
      // the bulk write machinery insertMany goes through (a third of the driver's time per message).
      if (only && docs.length === 1) {
        try {
          await messages.insertOne(only)
          return []
        } catch (err) {
          // A duplicate key refuses the document; anything else fails the batch, which is that one message.
          if (err instanceof MongoServerError && err.code === MONGO_DUPLICATE_KEY) return [{ index: 0, code: err.code, err }]
          throw err
        }
      }
      try {
        await messages.insertMany(docs, { ordered: false })
        return []
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err
        const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]
        if (!writeErrors.length || err.insertedCount + writeErrors.length !== docs.length) throw err
        if (writeErrors.some((w) => docs[w.index] === undefined)) throw err
        return writeErrors.map((w) => ({ index: w.index, code: w.code, err }))
      }
    },

    /** The message a user stored in the room under this clientId, if any. */
    findByClientId(roomId: string, userId: string, clientId: string): Promise<MessageDoc | null> {
      return messages.findOne({ roomId, userId, clientId })
    },

    /** Whether the room has a message stored with this seq. */
    async seqTaken(roomId: string, seq: number): Promise<boolean> {
      return (await messages.findOne({ roomId, seq }, { projection: { _id: 1 } })) !== null
    },

    async deleteIds(ids: string[]): Promise<void> {
      if (ids.length) await messages.deleteMany({ _id: { $in: ids } })
    },

    /** The highest seq stored for the room, 0 when it has none. */
    async highestSeq(roomId: string): Promise<number> {
      const [last] = await messages.find({ roomId }).sort({ seq: -1 }).limit(1).project<{ seq: number }>({ seq: 1 }).toArray()
      return last?.seq ?? 0
    },

    /** Up to `limit` messages of a room with seq < before (or the latest), in ascending seq. */
    async page(roomId: string, before: number | undefined, limit: number): Promise<MessageDoc[]> {
      const filter: Filter<MessageDoc> = before === undefined ? { roomId } : { roomId, seq: { $lt: before } }
      const newestFirst = await messages.find(filter).sort({ seq: -1 }).limit(limit).toArray()
      return newestFirst.reverse()
    },

    /** The message of this room with this id, if any. */
    findInRoom(roomId: string, id: string): Promise<MessageDoc | null> {
      return messages.findOne({ _id: id, roomId })
    },

    /** Who wrote the message and whether it is deleted (why an author's update matched nothing). */
    authorOf(roomId: string, id: string): Promise<Pick<MessageDoc, '_id' | 'userId' | 'deleted'> | null> {
      return messages.findOne({ _id: id, roomId }, { projection: { userId: 1, deleted: 1 } })
    },

    /** The author edits their message (not deleted): the edited document, or null when none matched. */
    editOwn(roomId: string, userId: string, id: string, text: string, now: number): Promise<MessageDoc | null> {
      return updateOwn(roomId, userId, id, { text, editedAt: now })
    },

    /** The author deletes their message (not deleted already): its text is emptied; null when none matched. */
    deleteOwn(roomId: string, userId: string, id: string): Promise<MessageDoc | null> {
      return updateOwn(roomId, userId, id, { text: '', deleted: true })
    },
  }
}
export type MessagesStore = ReturnType<typeof messagesStore>
