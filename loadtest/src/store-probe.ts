/**
 * The chat store alone, FerretDB on SQLite against FerretDB on PostgreSQL, each a private server
 * started here: the gateway's two queries (insertOne of a message; a join's history read, latest 50
 * by seq) timed as the messages collection grows. Why joins slow down after chat, and the write ceiling.
 *
 *   node --import tsx loadtest/src/store-probe.ts
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from '@hangout/infra/paths'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { startFerretDb } from '@hangout/infra/services'
import { HISTORY_LIMIT } from '@hangout/protocol'
import { Collections, type MessageDoc } from '@hangout/store'
import { MongoClient } from 'mongodb'
import { startFerretDbOnPostgres } from './ferretdb-postgres.js'
import { dropProbeDatabase } from './probe-db.js'
import { formatTable, writeResult } from './report.js'

const SIZES = [0, 2000, 8000]
const ROOMS = 40

interface Row {
  store: string
  messages: number
  historyMsP50: number
  insertsPerSecSequential: number
  insertsPerSecConcurrent: number
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await task()
  return performance.now() - start
}

async function probe(store: string, mongoUrl: string): Promise<Row[]> {
  const url = new URL(mongoUrl)
  url.pathname = `/hangout_probe_${Date.now().toString(36)}`
  const client = new MongoClient(url.toString())
  await client.connect()
  const messages = client.db().collection<MessageDoc>(Collections.messages)
  await messages.createIndex({ roomId: 1, seq: 1 }, { unique: true })
  const seqs = new Map<string, number>()
  const doc = (roomId: string): MessageDoc => {
    const seq = (seqs.get(roomId) ?? 0) + 1
    seqs.set(roomId, seq)
    return { _id: randomUUID(), roomId, seq, userId: 'u', userName: 'probe', text: 'lt probe message text', ts: Date.now() }
  }
  const rooms = Array.from({ length: ROOMS }, (_, i) => `room-${i}`)
  const rows: Row[] = []
  try {
    let count = 0
    for (const size of SIZES) {
      while (count < size) {
        const batch = Array.from({ length: Math.min(500, size - count) }, (_, i) => doc(rooms[(count + i) % ROOMS] as string))
        await messages.insertMany(batch)
        count += batch.length
      }
      // A join's history read, of a room with messages and of a fresh one.
      const history = [] as number[]
      for (let i = 0; i < 10; i++) {
        for (const roomId of [rooms[i % ROOMS] as string, `fresh-${i}`])
          history.push(await timed(() => messages.find({ roomId }).sort({ seq: -1 }).limit(HISTORY_LIMIT).toArray()))
      }
      const sequentialMs = await timed(async () => {
        for (let i = 0; i < 100; i++) await messages.insertOne(doc(rooms[i % ROOMS] as string))
      })
      const concurrentMs = await timed(() =>
        Promise.all(Array.from({ length: 200 }, (_, i) => messages.insertOne(doc(rooms[i % ROOMS] as string)))),
      )
      count += 300
      rows.push({
        store,
        messages: size,
        historyMsP50: median(history),
        insertsPerSecSequential: 100_000 / sequentialMs,
        insertsPerSecConcurrent: 200_000 / concurrentMs,
      })
      process.stderr.write(`${store}: ${size} messages done\n`)
    }
  } finally {
    await dropProbeDatabase(client)
  }
  return rows
}

const started: ManagedProcess[] = []
const rows: Row[] = []
try {
  const sqliteDir = join(DATA_DIR, 'bench', `ferretdb-probe-${process.pid}`)
  const port = await freePort()
  const sqlite = await startFerretDb(port, sqliteDir, join(DATA_DIR, 'bench', 'logs', 'ferretdb-probe.log'))
  started.push(sqlite)
  rows.push(...(await probe('FerretDB + SQLite', `mongodb://127.0.0.1:${port}/`)))
  await sqlite.stop()
  rmSync(sqliteDir, { recursive: true, force: true })
  const pg = await startFerretDbOnPostgres(join(DATA_DIR, 'bench', 'logs', 'ferretdb-pg-probe.log'))
  started.push(...pg.procs)
  rows.push(...(await probe('FerretDB + PostgreSQL', pg.mongoUrl)))
} finally {
  // FerretDB before the PostgreSQL it uses.
  for (const p of started.reverse()) await p.stop()
}
console.log(
  formatTable(
    ['store', 'messages stored', 'history read p50 ms', 'inserts/s, one at a time', 'inserts/s, 200 at once'],
    rows.map((r) => [r.store, r.messages, r.historyMsP50, r.insertsPerSecSequential, r.insertsPerSecConcurrent]),
  ),
)
console.log(`results: ${writeResult('store-probe', rows)}`)
