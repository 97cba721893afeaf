import type { Logger } from '@hangout/runtime'
import { randomUUID } from 'node:crypto'
import type { ChatMessage, PublicUser } from '@hangout/protocol'
import { type MessageDoc, type MessagesStore, RecentHistory } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'
import { type BatchLimits, BATCH_LIMITS, ChatWriter, type Posted } from './chat-batch.js'
import { MessageEdits } from './chat-edit.js'
import { SeqCounter } from './chat-seq.js'

/** Chat: messages stored in MongoDB by group commit (chat-batch.ts), the latest of each room in Redis. */
export class Chat {
  private readonly recent: RecentHistory
  private readonly writer: ChatWriter
  private readonly edits: MessageEdits

  /** `idleTtlMs`: a room's counter leaves Redis after this long without a message; it comes back from MongoDB. */
  constructor(
    redis: RedisClient,
    messages: MessagesStore,
    idleTtlMs: number,
    log: Logger,
    limits: BatchLimits = BATCH_LIMITS,
    onBatch?: (size: number) => void,
  ) {
    this.recent = new RecentHistory(redis, messages)
    this.writer = new ChatWriter(messages, this.recent, new SeqCounter(redis, idleTtlMs), log, limits, onBatch)
    this.edits = new MessageEdits(messages, this.recent)
  }

  /** Stores the message durably (or finds the one stored under its clientId) and answers it; throws when it is not stored. */
  post(roomId: string, user: PublicUser, text: string, clientId?: string): Promise<Posted> {
    const id = randomUUID()
    const doc: MessageDoc = {
      _id: id,
      roomId,
      seq: 0,
      userId: user.id,
      userName: user.name,
      text: text.trim(),
      ts: Date.now(),
      clientId: clientId ?? id,
    }
    return this.writer.submit(doc, clientId !== undefined)
  }

  /** The latest messages, ascending seq (from Redis while the room's cache is warm). */
  history(roomId: string): Promise<ChatMessage[]> {
    return this.recent.read(roomId)
  }

  edit(roomId: string, userId: string, id: string, text: string): Promise<ChatMessage> {
    return this.edits.edit(roomId, userId, id, text)
  }

  remove(roomId: string, userId: string, id: string): Promise<{ message: ChatMessage; changed: boolean }> {
    return this.edits.remove(roomId, userId, id)
  }
}
