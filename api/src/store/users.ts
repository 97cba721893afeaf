import { ensureIndex } from '@hangout/infra/mongo-index'
import { Collections, type User, type UserDoc } from '@hangout/protocol'
import { type Db, MongoServerError } from 'mongodb'
import { ApiError } from '../errors.js'

const DUPLICATE_KEY = 11000

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

    /** Inserts a user; a second user with the same email (any case) is EMAIL_TAKEN. */
    async create(doc: UserDoc): Promise<void> {
      try {
        await users.insertOne(doc)
      } catch (err) {
        if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) {
          throw new ApiError('EMAIL_TAKEN', 'this email is already registered')
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
  }
}
export type UsersStore = ReturnType<typeof usersStore>
