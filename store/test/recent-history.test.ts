/**
 * Property: whenever the recent history in Redis answers a history page, it is exactly the page
 * MongoDB holds (seq < before, ascending, at most `limit`), under any mix of batches stored out of
 * seq order (two nodes' batches), edits, deletions, warms (also racing a batch) and dropped caches.
 * Real Redis and the test run's MongoDB-wire store.
 */
import { randomBytes } from 'node:crypto'
import { type ChatMessage, HISTORY_LIMIT } from '@hangout/protocol'
import fc from 'fast-check'
import { Redis } from 'ioredis'
import { MongoClient } from 'mongodb'
import { type MessageDoc, messageFromDoc, RedisKeys } from '../src/layout.js'
import { messagesStore } from '../src/messages.js'
import { RecentHistory } from '../src/recent-history.js'

const RUNS = Number(process.env.HANGOUT_FUZZ_RUNS ?? 10)

const client = new MongoClient(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/hangout')
const db = client.db(`hangout_test_${randomBytes(5).toString('hex')}`)
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const messages = messagesStore(db)
const history = new RecentHistory(redis, messages)

beforeAll(() => messages.ensureIndexes())
afterAll(async () => {
  await db.dropDatabase().catch(() => {})
  await client.close()
  redis.disconnect()
})

type Op =
  | { kind: 'take'; count: number }
  | { kind: 'store'; pick: number }
  | { kind: 'edit' | 'delete'; pick: number }
  | { kind: 'warm' | 'warmWhileStoring'; pick: number }
  | { kind: 'forget' }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('take' as const), count: fc.integer({ min: 1, max: 25 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('store' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('edit' as const, 'delete' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('warm' as const, 'warmWhileStoring' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const) }) },
)

const LIMITS = [1, 7, HISTORY_LIMIT, 100]
let served = 0

/** Every page the cache answers, against the room as stored. */
async function checkPages(roomId: string, highest: number): Promise<void> {
  const stored = (await messages.page(roomId, undefined, 10_000)).map(messageFromDoc)
  for (const limit of LIMITS) {
    // The window and just below it, where a page turns from cached to not.
    const low = Math.max(1, highest - HISTORY_LIMIT - 10)
    for (const before of [undefined, 1, 2, ...Array.from({ length: highest + 2 - low }, (_, i) => low + i)]) {
      const cached = await history.cachedPage(roomId, before, limit)
      if (!cached) continue
      served++
      const expected = stored.filter((m) => before === undefined || m.seq < before).slice(-limit)
      expect({ before, limit, page: cached }).toEqual({ before, limit, page: expected })
    }
  }
}

test('a page the recent history answers equals the page MongoDB holds', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 120 }), fc.array(op, { minLength: 1, maxLength: 30 }), async (earlier, ops) => {
      const roomId = `r${randomBytes(6).toString('hex')}`
      let seq = 0
      const message = (): MessageDoc => {
        seq++
        return { ...messageDoc(roomId, seq), clientId: `c${seq}` }
      }
      /** Stored before the cache existed (another day's chat): in MongoDB only. */
      const stored: MessageDoc[] = Array.from({ length: earlier }, message)
      await messages.insertBatch(stored)
      /** Batches whose seqs were taken but not yet stored (another node's write still in flight). */
      const pending: MessageDoc[][] = []
      const store = async (pick: number) => {
        const [batch] = pending.splice(pick % pending.length, 1)
        if (!batch) return
        expect(await messages.insertBatch(batch)).toEqual([])
        stored.push(...batch)
        await history.addStored(batch.map(messageFromDoc))
      }
      for (const step of ops) {
        if (step.kind === 'take') {
          pending.push(Array.from({ length: step.count }, message))
        } else if (step.kind === 'store') {
          if (pending.length) await store(step.pick)
        } else if (step.kind === 'edit' || step.kind === 'delete') {
          const doc = stored[step.pick % Math.max(stored.length, 1)]
          if (!doc) continue
          const changed =
            step.kind === 'edit'
              ? await messages.editOwn(roomId, 'u', doc._id, `edited ${doc.seq}`, Date.now())
              : await messages.deleteOwn(roomId, 'u', doc._id)
          if (changed) await history.replace(messageFromDoc(changed))
        } else if (step.kind === 'warm') {
          await history.read(roomId)
        } else if (step.kind === 'warmWhileStoring') {
          await Promise.all([history.read(roomId), pending.length ? store(step.pick) : undefined])
        } else {
          await history.forget([roomId])
        }
        await checkPages(roomId, seq)
      }
      await redis.del(RedisKeys.recent(roomId))
    }),
    { numRuns: RUNS },
  )
  // The property says something only if the cache answered pages, older ones included.
  expect(served).toBeGreaterThan(0)
}, 600_000)

test('a page within the cached window is served from Redis; one older than it, or of a cold room, is not', async () => {
  const roomId = `r${randomBytes(6).toString('hex')}`
  const docs = Array.from({ length: 80 }, (_, i): MessageDoc => messageDoc(roomId, i + 1))
  await messages.insertBatch(docs)
  expect(await history.cachedPage(roomId, undefined, 10)).toBeUndefined()
  // A page of the latest warms the cache (its latest 50: seqs 31..80).
  expect((await history.page(roomId, undefined, HISTORY_LIMIT)).map((m) => m.seq)).toEqual(range(31, 80))
  expect((await history.cachedPage(roomId, 60, 20))?.map((m) => m.seq)).toEqual(range(40, 59))
  expect(await history.cachedPage(roomId, 40, 20)).toBeUndefined()
  expect((await history.page(roomId, 40, 20)).map((m) => m.seq)).toEqual(range(20, 39))
  // A room with fewer messages than the window is whole in the cache: any page of it is served.
  const small = `r${randomBytes(6).toString('hex')}`
  await messages.insertBatch(docs.slice(0, 5).map((d) => ({ ...d, _id: `${small}-${d.seq}`, roomId: small })))
  await history.read(small)
  expect((await history.cachedPage(small, 4, 50))?.map((m: ChatMessage) => m.seq)).toEqual([1, 2, 3])
  expect(await history.cachedPage(small, 1, 50)).toEqual([])
})

function messageDoc(roomId: string, seq: number): MessageDoc {
  return { _id: `${roomId}-${seq}`, roomId, seq, userId: 'u', userName: 'U', text: `m ${seq}`, ts: seq }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

test('reads of a cold room racing each other ask MongoDB once, and each holds what was stored before it began', async () => {
  const roomId = `r${randomBytes(6).toString('hex')}`
  const doc = (seq: number) => messageDoc(roomId, seq)
  await messages.insertBatch([doc(1), doc(2)])
  let pages = 0
  let pageRead!: () => void
  const pageWasRead = new Promise<void>((resolve) => (pageRead = resolve))
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  // The first warm-up's MongoDB page is read, then held back until the later reads have begun.
  const held = new RecentHistory(redis, {
    ...messages,
    page: async (...args: Parameters<typeof messages.page>) => {
      pages++
      const page = await messages.page(...args)
      pageRead()
      await released
      return page
    },
  })
  const first = held.read(roomId)
  await pageWasRead
  // Stored after the first warm-up read MongoDB: not in its page, in the cache by the store's own write.
  await messages.insertBatch([doc(3)])
  await held.addStored([messageFromDoc(doc(3))])
  const later = Array.from({ length: 20 }, () => held.read(roomId))
  release()
  expect((await first).map((m) => m.seq)).toEqual([1, 2])
  for (const read of await Promise.all(later)) expect(read.map((m) => m.seq)).toEqual([1, 2, 3])
  expect(pages).toBe(1)
  await redis.del(RedisKeys.recent(roomId))
})
