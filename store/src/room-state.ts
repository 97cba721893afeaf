import { INITIAL_ROOM_STATE, PAGE_COUNT, PRODUCT_COUNT, type RoomState } from '@hangout/protocol'

/**
 * The one codec of a room's shared activity hash (RedisKeys.state): `page`, `top`, and one
 * `hl:<userId>` field per highlight. Lua scripts that drop a user's highlight build the field from
 * HIGHLIGHT_PREFIX too.
 */
export const HIGHLIGHT_PREFIX = 'hl:'

export function highlightField(userId: string): string {
  return HIGHLIGHT_PREFIX + userId
}

/** What a node knows of a room's state: any part may be unknown. */
export interface PartialRoomState {
  page?: number
  top?: number
  highlights: Iterable<[userId: string, productId: number]>
}

export function encodeRoomState(state: PartialRoomState): [field: string, value: string][] {
  const fields: [string, string][] = []
  if (state.page !== undefined) fields.push(['page', String(state.page)])
  if (state.top !== undefined) fields.push(['top', String(state.top)])
  for (const [userId, productId] of state.highlights) fields.push([highlightField(userId), String(productId)])
  return fields
}

/** The state as stored; a field out of the contract's range reads as the initial value (or no highlight). */
export function decodeRoomState(hash: Record<string, string>): RoomState {
  const page = Number(hash.page)
  const top = Number(hash.top)
  const highlights: Record<string, number> = {}
  for (const [field, value] of Object.entries(hash)) {
    const productId = Number(value)
    if (field.startsWith(HIGHLIGHT_PREFIX) && Number.isInteger(productId) && productId >= 1 && productId <= PRODUCT_COUNT) {
      highlights[field.slice(HIGHLIGHT_PREFIX.length)] = productId
    }
  }
  return {
    page: Number.isInteger(page) && page >= 1 && page <= PAGE_COUNT ? page : INITIAL_ROOM_STATE.page,
    top: Number.isFinite(top) && top >= 0 && top <= 1 ? top : INITIAL_ROOM_STATE.top,
    highlights,
  }
}
