import type { Room } from '@hangout/protocol'
import type { Cluster, Redis } from 'ioredis'
import { RedisKeys } from './layout.js'

/** A room's record outlives its last read by a day; after that a join reads it from MongoDB again. */
const TTL_SECONDS = 86_400

/**
 * Rooms as MongoDB holds them, kept in Redis (`RedisKeys.record`): the API writes a room's record
 * when it creates the room, a gateway when it had to read the room from MongoDB, so the first
 * join of a room on a node asks Redis, not MongoDB. Rooms are never renamed or deleted: a record
 * is never stale, only missing.
 */
export class RoomRecords {
  constructor(private readonly redis: Redis | Cluster) {}

  async put(room: Room): Promise<void> {
    await this.redis.set(RedisKeys.record(room.id), JSON.stringify(room), 'EX', TTL_SECONDS)
  }

  /** The room, or undefined when Redis holds no record of it (it may still be in MongoDB). */
  async get(roomId: string): Promise<Room | undefined> {
    const json = await this.redis.getex(RedisKeys.record(roomId), 'EX', TTL_SECONDS)
    return json === null ? undefined : (JSON.parse(json) as Room)
  }
}
