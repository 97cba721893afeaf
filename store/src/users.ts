import { ensureIndex } from './mongo-index.js'
import type { User } from '@hangout/protocol'
import { Collections, type UserDoc } from './layout.js'
import { type Db, MongoServerError } from 'mongodb'
import { DuplicateKeyError, MONGO_DUPLICATE_KEY } from './errors.js'

export function userFromDoc(doc: UserDoc): User {
  return { id: doc._id, name: doc.name, email: doc.email, createdAt: doc.createdAt.toISOString() }
}

/** The emails' unique key: case-insensitive. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase()
}

export function usersStore(db: Db) {
  const users = db.collection<UserDoc>(Collections.users)
  return {
    async ensureIndexes(): Promise<void> {
      await ensureIndex(users, { key: { emailKey: 1 }, unique: true, name: 'emailKey_unique' })
    },

    /** Inserts a user; a second user with the same email (any case) is a DuplicateKeyError. */
    async create(doc: UserDoc): Promise<void> {
      try {
        await users.insertOne(doc)
      } catch (err) {
        if (err instanceof MongoServerError && err.code === MONGO_DUPLICATE_KEY) {
          throw new DuplicateKeyError('this email is already registered')
        }
        throw err
      }
    },

    findByEmail(email: string): Promise<UserDoc | null> {
      return users.findOne({ emailKey: emailKey(email) })
    },

    findById(id: string): Promise<UserDoc | null> {
      return users.findOne({ _id: id })
    },

    async exists(id: string): Promise<boolean> {
      return (await users.countDocuments({ _id: id }, { limit: 1 })) > 0
    },

    async delete(id: string): Promise<boolean> {
      return (await users.deleteOne({ _id: id })).deletedCount === 1
    },
  }
}
export type UsersStore = ReturnType<typeof usersStore>
