/** After a chat run: what the store holds, read back, against what the clients were told. */
import { Collections, type MessageDoc } from '@hangout/store'
import { MongoClient } from 'mongodb'

export interface ChatReadback {
  /** Messages stored in the run's database. */
  stored: number
  /** Distinct (room, user, clientId): equal to `stored` when no message was stored twice. */
  distinct: number
  /** Rooms whose seqs repeat (must be 0). */
  roomsWithRepeatedSeq: number
}

export async function chatReadback(mongoUrl: string): Promise<ChatReadback> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 })
  try {
    const docs = await client
      .db()
      .collection<MessageDoc>(Collections.messages)
      .find({}, { projection: { roomId: 1, userId: 1, clientId: 1, seq: 1 } })
      .toArray()
    const keys = new Set(docs.map((d) => `${d.roomId}|${d.userId}|${d.clientId ?? d._id}`))
    const seqs = new Map<string, Set<number>>()
    const repeated = new Set<string>()
    for (const d of docs) {
      const room = seqs.get(d.roomId) ?? new Set<number>()
      if (room.has(d.seq)) repeated.add(d.roomId)
      room.add(d.seq)
      seqs.set(d.roomId, room)
    }
    return { stored: docs.length, distinct: keys.size, roomsWithRepeatedSeq: repeated.size }
  } finally {
    await client.close()
  }
}
