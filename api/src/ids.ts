import { randomBytes, randomUUID } from 'node:crypto'

export function newUserId(): string {
  return randomUUID()
}

/** 12 URL-safe characters (72 random bits), safe to hash at the edge as it stands in a query string. */
export function newRoomId(): string {
  return randomBytes(9).toString('base64url')
}
