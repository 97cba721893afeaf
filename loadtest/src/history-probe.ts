/**
 * History pages on the local default store (FerretDB on PostgreSQL): 100,000 messages across
 * 1,000 rooms, then the API's page (latest 50, 20 before a seq within the room's latest 50, 50
 * before an older seq) timed as the API reads it (RecentHistory.page: from the Redis cache when the
 * page is within the room's cached latest 50, else MongoDB), and the MongoDB query alone with the
 * GIN index on roomId that ensureServices creates, and without it (FerretDB v1's own indexes only).
 *
 *   node --import tsx loadtest/src/history-probe.ts
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { indexRoomMessages } from '@hangout/infra/ferretdb-pg-index'
import {
  ensureIndex,
  Collections,
  createStores,
  MESSAGES_INDEX,
  type MessageDoc,
  messagesStore,
  RecentHistory,
} from '@hangout/store'
import { DATA_DIR } from '@hangout/infra/paths'
import { psql } from '@hangout/infra/postgres'
import { freePort } from '@hangout/infra/process'
import { startRedis } from '@hangout/infra/services'
import { Redis } from 'ioredis'
import { HISTORY_LIMIT } from '@hangout/protocol'
import { MongoClient } from 'mongodb'
import { startFerretDbOnPostgres } from './ferretdb-postgres.js'
import { dropProbeDatabase } from './probe-db.js'
import { formatTable, writeResult } from './report.js'

const ROOMS = 1000
const PER_ROOM = 100
const READS = 200

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.floor(values.length * p)] ?? Number.NaN

const pg = await startFerretDbOnPostgres(join(DATA_DIR, 'bench', 'logs', 'ferretdb-pg-history.log'))
const redisPort = await freePort()
const redisProc = await startRedis(redisPort, join(DATA_DIR, 'bench', 'logs', 'redis-history.log'))
const redis = new Redis(`redis://127.0.0.1:${redisPort}`)
const url = new URL(pg.mongoUrl)
url.pathname = `/hangout_history_${Date.now().toString(36)}`
const client = new MongoClient(url.toString())
const rows: { index: string; page: string; p50: number; p99: number }[] = []
try {
  const messages = client.db().collection<MessageDoc>(Collections.messages)
  await ensureIndex(messages, MESSAGES_INDEX)
  const started = performance.now()
  for (let seq = 1; seq <= PER_ROOM; seq++) {
    const docs = Array.from(
      { length: ROOMS },
      (_, r): MessageDoc => ({
        _id: randomUUID(),
        roomId: `room-${r}`,
        seq,
        userId: 'u',
        userName: 'probe',
        text: 'a history probe message',
        ts: Date.now(),
      }),
    )
    await messages.insertMany(docs, { ordered: false })
  }
  process.stderr.write(`${ROOMS * PER_ROOM} messages stored in ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  const PAGES = [
    ['latest 50', undefined, HISTORY_LIMIT],
    ['20 before seq 90', 90, 20],
    ['50 before seq 60', 60, HISTORY_LIMIT],
  ] as const
  const stores = createStores(client.db())
  /** `withChecks`: also the store reads the API makes before a page (the user exists, is a member). */
  const timeCachedPages = async (label: string, withChecks: boolean) => {
    const history = new RecentHistory(redis, messagesStore(client.db()))
    for (const [page, before, limit] of PAGES) {
      const times: number[] = []
      for (let i = 0; i < READS; i++) {
        const roomId = `room-${(i * 37) % ROOMS}`
        const t = performance.now()
        if (withChecks) {
          if (!(await stores.users.exists('u')) || !(await stores.memberships.isMember('u', roomId))) throw new Error('no member')
        }
        await history.page(roomId, before, limit)
        times.push(performance.now() - t)
      }
      rows.push({ index: label, page, p50: percentile(times, 0.5), p99: percentile(times, 0.99) })
    }
  }
  const timePages = async (index: string) => {
    for (const [page, before, limit] of PAGES) {
      const filter = (roomId: string) => (before === undefined ? { roomId } : { roomId, seq: { $lt: before } })
      const times: number[] = []
      for (let i = 0; i < READS; i++) {
        const roomId = `room-${(i * 37) % ROOMS}`
        const t = performance.now()
        await messages.find(filter(roomId)).sort({ seq: -1 }).limit(limit).toArray()
        times.push(performance.now() - t)
      }
      rows.push({ index, page, p50: percentile(times, 0.5), p99: percentile(times, 0.99) })
    }
  }
  await indexRoomMessages(pg.pgUrl, url.toString())
  // Each room's cache warmed by a first read (a join or a latest page does that), then timed.
  const history = new RecentHistory(redis, messagesStore(client.db()))
  for (let r = 0; r < ROOMS; r++) await history.read(`room-${r}`)
  await stores.users.create({ _id: 'u', name: 'probe', email: 'p@x', emailKey: 'p@x', passwordHash: '', createdAt: new Date() })
  for (let r = 0; r < ROOMS; r++) await stores.memberships.record('u', `room-${r}`)
  await timeCachedPages('API page: Redis cache, else GIN', false)
  await timeCachedPages('+ user and membership checks', true)
  await timePages('GIN on roomId (the default)')
  psql(pg.pgUrl, `DROP INDEX "${client.db().databaseName}".hangout_messages_room_gin`)
  await timePages("FerretDB's own only")
} finally {
  await dropProbeDatabase(client)
  redis.disconnect()
  await redisProc.stop()
  for (const proc of pg.procs.reverse()) await proc.stop()
}
console.log(
  formatTable(
    ['index', 'page', 'p50 ms', 'p99 ms'],
    rows.map((r) => [r.index, r.page, r.p50, r.p99]),
  ),
)
console.log(`results: ${writeResult('history-probe', rows)}`)
