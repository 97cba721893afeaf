import type { ChatMessage } from '@hangout/protocol'
import { type MessagesStore, messageFromDoc, type RecentHistory } from '@hangout/store'
import { AckFailure } from '../socket/errors.js'

/** Editing and deleting one's own messages: MongoDB first (conditional on the author), then the recent history. */
export class MessageEdits {
  constructor(
    private readonly messages: MessagesStore,
    private readonly recent: RecentHistory,
  ) {}

  /** The edited message; refuses another's message, an unknown id and a deleted message, changing nothing. */
  async edit(roomId: string, userId: string, id: string, text: string): Promise<ChatMessage> {
    const doc = await this.messages.editOwn(roomId, userId, id, text.trim(), Date.now())
    if (!doc) throw await this.refusal(roomId, userId, id, 'edit')
    return this.cached(messageFromDoc(doc))
  }

  /** The deleted message (text "", deleted); `changed` false when it was deleted already. */
  async remove(roomId: string, userId: string, id: string): Promise<{ message: ChatMessage; changed: boolean }> {
    const doc = await this.messages.deleteOwn(roomId, userId, id)
    if (doc) return { message: await this.cached(messageFromDoc(doc)), changed: true }
    const refusal = await this.refusal(roomId, userId, id, 'delete')
    if (refusal.message !== DELETED) throw refusal
    const gone = await this.messages.findInRoom(roomId, id)
    if (!gone) throw new AckFailure('BAD_REQUEST', `no message ${id} in this room`)
    return { message: messageFromDoc(gone), changed: false }
  }

  /** Why the conditional update matched nothing. */
  private async refusal(roomId: string, userId: string, id: string, verb: string): Promise<AckFailure> {
    const doc = await this.messages.authorOf(roomId, id)
    if (!doc) return new AckFailure('BAD_REQUEST', `no message ${id} in this room`)
    if (doc.userId !== userId) return new AckFailure('FORBIDDEN', `you can only ${verb} your own messages`)
    return new AckFailure('BAD_REQUEST', DELETED)
  }

  /** Into the recent history; if that fails the room's cache is dropped (it would serve the old text). */
  private async cached(message: ChatMessage): Promise<ChatMessage> {
    try {
      await this.recent.replace(message)
    } catch (err) {
      await this.recent.forget([message.roomId]).catch(() => undefined)
      throw err
    }
    return message
  }
}

const DELETED = 'this message was deleted'
