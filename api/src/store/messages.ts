import { ensureIndex } from '@hangout/infra/mongo-index'
import { Collections, MESSAGES_INDEX, type MessageDoc } from '@hangout/protocol'
import type { Db, Filter } from 'mongodb'

/** Chat history; the gateways write it, the API pages through it. */
export function messagesStore(db: Db) {
  const messages = db.collection<MessageDoc>(Collections.messages)
  return {
    async ensureIndexes(): Promise<void> {
      await ensureIndex(messages, MESSAGES_INDEX)
    },

    /** Up to `limit` messages of a room with seq < before (or the latest), in ascending seq. */
    async page(roomId: string, before: number | undefined, limit: number): Promise<MessageDoc[]> {
      const filter: Filter<MessageDoc> = before === undefined ? { roomId } : { roomId, seq: { $lt: before } }
      const newestFirst = await messages.find(filter).sort({ seq: -1 }).limit(limit).toArray()
      return newestFirst.reverse()
    },
  }
}
export type MessagesStore = ReturnType<typeof messagesStore>
