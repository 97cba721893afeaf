import { randomBytes } from 'node:crypto'
import { MongoClient } from 'mongodb'
import { MESSAGES_CLIENT_INDEX } from '../src/layout.js'
import { ensureIndex } from '../src/mongo-index.js'

const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/hangout'
const client = new MongoClient(url)
const db = client.db(`hangout_test_${randomBytes(5).toString('hex')}`)

afterAll(async () => {
  await db.dropDatabase().catch(() => {})
  await client.close()
})

test('creates the index, and accepts an equivalent one made under another name', async () => {
  const fresh = db.collection('fresh')
  await ensureIndex(fresh, { key: { roomId: 1, seq: 1 }, name: 'roomId_seq_unique', unique: true })
  expect((await fresh.indexes()).map((index) => index.name)).toContain('roomId_seq_unique')

  const older = db.collection('older')
  await older.createIndex({ roomId: 1, seq: 1 }, { unique: true })
  await ensureIndex(older, { key: { roomId: 1, seq: 1 }, name: 'roomId_seq_unique', unique: true })
  await older.insertOne({ roomId: 'r', seq: 1 })
  await expect(older.insertOne({ roomId: 'r', seq: 1 })).rejects.toThrow()
})

test('refuses an index on the same keys that does not give the same guarantee', async () => {
  const weaker = db.collection('weaker')
  await weaker.createIndex({ roomId: 1, seq: 1 }, { name: 'plain' })
  await expect(ensureIndex(weaker, { key: { roomId: 1, seq: 1 }, name: 'roomId_seq_unique', unique: true })).rejects.toThrow()
})

test('the clientId index: one message per (room, user, clientId); documents without one never collide', async () => {
  const messages = db.collection('messages_client')
  await ensureIndex(messages, MESSAGES_CLIENT_INDEX)
  await ensureIndex(messages, MESSAGES_CLIENT_INDEX)
  await messages.insertMany([
    { _id: 'old1', roomId: 'r', userId: 'u', seq: 1 },
    { _id: 'old2', roomId: 'r', userId: 'u', seq: 2 },
    { _id: 'a', roomId: 'r', userId: 'u', seq: 3, clientId: 'c1' },
    { _id: 'b', roomId: 'r', userId: 'other', seq: 4, clientId: 'c1' },
    { _id: 'c', roomId: 'r2', userId: 'u', seq: 1, clientId: 'c1' },
  ] as never[])
  await expect(
    messages.insertOne({ _id: 'again', roomId: 'r', userId: 'u', seq: 5, clientId: 'c1' } as never),
  ).rejects.toMatchObject({
    code: 11000,
  })
  expect(await messages.countDocuments({})).toBe(5)
})
