import { Collections, MEMBERSHIPS_BY_USER_INDEX, type MembershipDoc, membershipId, membershipUpsert } from './layout.js'
import { ensureIndex } from './mongo-index.js'
import type { Db } from 'mongodb'

export interface MembershipPair {
  userId: string
  roomId: string
}

/** Who may see a room: its owner and whoever joined it by its link. */
export function membershipsStore(db: Db) {
  const memberships = db.collection<MembershipDoc>(Collections.memberships)
  return {
    async ensureIndexes(): Promise<void> {
      await ensureIndex(memberships, MEMBERSHIPS_BY_USER_INDEX)
    },

    /** Makes the user a member (once), and marks the room as just used by them. */
    async record(userId: string, roomId: string, now = new Date()): Promise<void> {
      await this.recordMany([{ userId, roomId }], now)
    },

    /** `record` for many user+room pairs in one command (unordered: one failing does not stop the others). */
    async recordMany(pairs: readonly MembershipPair[], now = new Date()): Promise<void> {
      if (pairs.length === 0) return
      await memberships.bulkWrite(
        pairs.map(({ userId, roomId }) => ({ updateOne: { ...membershipUpsert(userId, roomId, now), upsert: true } })),
        { ordered: false },
      )
    },

    async isMember(userId: string, roomId: string): Promise<boolean> {
      return (await memberships.countDocuments({ _id: membershipId(userId, roomId) }, { limit: 1 })) > 0
    },

    /** The user's room ids, most recently used first. */
    async roomIdsOf(userId: string, limit: number): Promise<string[]> {
      const docs = await memberships
        .find({ userId }, { projection: { roomId: 1 } })
        .sort({ lastUsedAt: -1, _id: 1 })
        .limit(limit)
        .toArray()
      return docs.map((doc) => doc.roomId)
    },
  }
}
export type MembershipsStore = ReturnType<typeof membershipsStore>
