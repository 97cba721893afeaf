import { Collections, type UserDoc } from '@hangout/protocol'
import type { Db } from 'mongodb'
import { PositiveCache } from './positive-cache.js'

/**
 * Whether a token's user still exists, asked at every handshake. Users found are remembered for
 * `ttlMs` so that a storm of reconnects does not hammer MongoDB; a deleted user is refused within
 * that time. Throws when MongoDB does not answer (the caller decides what that means).
 */
export class Users {
  private readonly found: PositiveCache<true>

  constructor(
    private readonly db: Db,
    ttlMs = 30_000,
  ) {
    this.found = new PositiveCache(ttlMs)
  }

  async exists(userId: string): Promise<boolean> {
    if (this.found.get(userId)) return true
    const doc = await this.db.collection<UserDoc>(Collections.users).findOne({ _id: userId }, { projection: { _id: 1 } })
    if (!doc) return false
    this.found.set(userId, true)
    return true
  }
}
