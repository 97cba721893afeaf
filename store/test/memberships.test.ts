/** Memberships written in one command: each pair a member once, its "last used" moved, against the real store. */
import { randomBytes } from 'node:crypto'
import { MongoClient } from 'mongodb'
import { Collections, type MembershipDoc } from '../src/layout.js'
import { membershipsStore } from '../src/memberships.js'

const client = new MongoClient(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/hangout')
const db = client.db(`hangout_test_${randomBytes(5).toString('hex')}`)
const memberships = membershipsStore(db)

beforeAll(() => memberships.ensureIndexes())
afterAll(async () => {
  await db.dropDatabase().catch(() => {})
  await client.close()
})

test('recordMany makes every pair a member, keeps the first join time and moves the last use', async () => {
  const first = new Date('2026-01-01T00:00:00Z')
  const later = new Date('2026-02-01T00:00:00Z')
  await memberships.record('ann', 'r1', first)
  await memberships.recordMany(
    [
      { userId: 'ann', roomId: 'r1' },
      { userId: 'ann', roomId: 'r2' },
      { userId: 'bob', roomId: 'r1' },
      { userId: 'bob', roomId: 'r1' },
    ],
    later,
  )
  expect(await memberships.isMember('ann', 'r2')).toBe(true)
  expect(await memberships.isMember('bob', 'r1')).toBe(true)
  expect(await memberships.isMember('bob', 'r2')).toBe(false)
  const docs = await db.collection<MembershipDoc>(Collections.memberships).find({}).sort({ _id: 1 }).toArray()
  expect(docs.map(({ userId, roomId, joinedAt, lastUsedAt }) => ({ userId, roomId, joinedAt, lastUsedAt }))).toEqual([
    { userId: 'ann', roomId: 'r1', joinedAt: first, lastUsedAt: later },
    { userId: 'ann', roomId: 'r2', joinedAt: later, lastUsedAt: later },
    { userId: 'bob', roomId: 'r1', joinedAt: later, lastUsedAt: later },
  ])
  expect(await memberships.roomIdsOf('ann', 10)).toHaveLength(2)
  await expect(memberships.recordMany([])).resolves.toBeUndefined()
})
