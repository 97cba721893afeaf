import { INITIAL_ROOM_STATE, PRODUCT_COUNT, PAGE_COUNT, RedisKeys, type RoomState } from '@hangout/protocol'
import type { Redis } from 'ioredis'
import { HIGHLIGHT_FIELD as HIGHLIGHT } from './room-memory.js'

/** A room's shared shopping activity (page, scroll, highlights), in one Redis hash. */
export class Activity {
  constructor(private readonly redis: Redis) {}

  async page(roomId: string, page: number): Promise<void> {
    await this.redis.hset(RedisKeys.state(roomId), 'page', page)
  }

  async top(roomId: string, top: number): Promise<void> {
    await this.redis.hset(RedisKeys.state(roomId), 'top', top)
  }

  async highlight(roomId: string, userId: string, productId: number): Promise<void> {
    await this.redis.hset(RedisKeys.state(roomId), HIGHLIGHT + userId, productId)
  }

  /** The state as it stands; highlights of users who left were removed with their presence. */
  async state(roomId: string): Promise<RoomState> {
    const hash = await this.redis.hgetall(RedisKeys.state(roomId))
    const page = Number(hash.page)
    const top = Number(hash.top)
    const highlights: Record<string, number> = {}
    for (const [field, value] of Object.entries(hash)) {
      const productId = Number(value)
      if (field.startsWith(HIGHLIGHT) && Number.isInteger(productId) && productId >= 1 && productId <= PRODUCT_COUNT) {
        highlights[field.slice(HIGHLIGHT.length)] = productId
      }
    }
    return {
      page: Number.isInteger(page) && page >= 1 && page <= PAGE_COUNT ? page : INITIAL_ROOM_STATE.page,
      top: Number.isFinite(top) && top >= 0 && top <= 1 ? top : INITIAL_ROOM_STATE.top,
      highlights,
    }
  }
}
