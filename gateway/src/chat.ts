import { randomUUID } from 'node:crypto'
import {
  type ChatMessage,
  Collections,
  HISTORY_LIMIT,
  type MessageDoc,
  messageFromDoc,
  type PublicUser,
  RedisKeys,
} from '@hangout/protocol'
import type { Redis } from 'ioredis'
import type { Db } from 'mongodb'
import { LuaScript } from './lua.js'

/** INCR only when the counter exists: a missing counter must first be seeded from MongoDB. */
const INCR_EXISTING = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('INCR', KEYS[1])
`)

/** Chat: seq from Redis (never going back, even when Redis lost it), messages stored in MongoDB. */
export class Chat {
  constructor(
    private readonly redis: Redis,
    private readonly db: Db,
  ) {}

  private get messages() {
    return this.db.collection<MessageDoc>(Collections.messages)
  }

  /** Stores the message durably and answers it; throws when MongoDB or Redis cannot take it. */
  async post(roomId: string, user: PublicUser, text: string): Promise<ChatMessage> {
    const doc: MessageDoc = {
      _id: randomUUID(),
      roomId,
      seq: await this.nextSeq(roomId),
      userId: user.id,
      userName: user.name,
      text: text.trim(),
      ts: Date.now(),
    }
    await this.messages.insertOne(doc)
    return messageFromDoc(doc)
  }

  /** The latest messages, ascending seq. */
  async history(roomId: string): Promise<ChatMessage[]> {
    const docs = await this.messages.find({ roomId }).sort({ seq: -1 }).limit(HISTORY_LIMIT).toArray()
    return docs.reverse().map(messageFromDoc)
  }

  private async nextSeq(roomId: string): Promise<number> {
    const key = RedisKeys.seq(roomId)
    const seq = Number(await INCR_EXISTING.run(this.redis, [key], []))
    if (seq > 0) return seq
    const [last] = await this.messages.find({ roomId }).sort({ seq: -1 }).limit(1).project<{ seq: number }>({ seq: 1 }).toArray()
    await this.redis.set(key, last?.seq ?? 0, 'NX')
    return this.redis.incr(key)
  }
}
