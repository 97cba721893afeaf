import type { Db } from 'mongodb'
import { membershipsStore } from './memberships.js'
import { messagesStore } from './messages.js'
import { roomsStore } from './rooms.js'
import { usersStore } from './users.js'

export function createStores(db: Db) {
  return { users: usersStore(db), rooms: roomsStore(db), messages: messagesStore(db), memberships: membershipsStore(db) }
}
export type Stores = ReturnType<typeof createStores>

export async function ensureIndexes(stores: Stores): Promise<void> {
  await Promise.all([
    stores.users.ensureIndexes(),
    stores.rooms.ensureIndexes(),
    stores.messages.ensureIndexes(),
    stores.memberships.ensureIndexes(),
  ])
}
