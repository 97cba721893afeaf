import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MongoClient } from 'mongodb'
import { Collections } from '@hangout/store'
import { indexRoomMessages } from '../src/ferretdb-pg-index.js'
import { ensurePostgres, postgresAnswers } from '../src/postgres.js'
import { freePort, type ManagedProcess, portOpen } from '../src/process.js'
import { startFerretDbOnPostgres } from '../src/services.js'

// Where no PostgreSQL answers (a free port) and with a data directory of its own: the path a machine
// without PostgreSQL takes. The directory is mkdtemp's own, so an unprivileged server user may own it.
const dir = mkdtempSync(join(tmpdir(), 'hangout-pg-'))
const running: ManagedProcess[] = []

afterAll(async () => {
  for (const proc of running.reverse()) await proc.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('no PostgreSQL answers: a cluster of our own is initialised, FerretDB stores on it, and it keeps the data across a restart', async () => {
  const pgPort = await freePort()
  const env = { PG_URL: `postgres://postgres@127.0.0.1:${pgPort}/hangout_own`, HANGOUT_PG_DIR: dir }
  expect(postgresAnswers(env.PG_URL)).toBe(false)
  const first = await ensurePostgres(env)
  expect(first.started).toBeDefined()
  running.push(first.started!)
  expect(postgresAnswers(env.PG_URL)).toBe(true)
  // A second call finds it answering and starts nothing.
  expect((await ensurePostgres(env)).started).toBeUndefined()

  const ferretPort = await freePort()
  const ferret = await startFerretDbOnPostgres(ferretPort, first.url)
  running.push(ferret)
  const client = new MongoClient(`mongodb://127.0.0.1:${ferretPort}/hangout`)
  await client
    .db()
    .collection('probe')
    .insertOne({ _id: 'kept' } as never)
  // History pages: PostgreSQL finds a room's messages through the GIN index, not a scan.
  await indexRoomMessages(first.url, `mongodb://127.0.0.1:${ferretPort}/hangout`)
  await indexRoomMessages(first.url, `mongodb://127.0.0.1:${ferretPort}/hangout`)
  const messages = client.db().collection(Collections.messages)
  await messages.insertMany(Array.from({ length: 2000 }, (_, i) => ({ roomId: `room-${i % 100}`, seq: Math.floor(i / 100) + 1 })))
  const explained = await client
    .db()
    .command({ explain: { find: Collections.messages, filter: { roomId: 'room-7' }, sort: { seq: -1 }, limit: 50 } })
  expect(JSON.stringify(explained.queryPlanner)).toContain('hangout_messages_room_gin')
  await client.close()
  await ferret.stop()
  await first.started!.stop()
  expect(await portOpen(pgPort)).toBe(false)

  // Started again on the same directory: no new initdb, the data is there.
  const again = await ensurePostgres(env)
  running.push(again.started!)
  const ferret2 = await startFerretDbOnPostgres(ferretPort, again.url)
  running.push(ferret2)
  const reader = new MongoClient(`mongodb://127.0.0.1:${ferretPort}/hangout`)
  expect(
    await reader
      .db()
      .collection('probe')
      .findOne({ _id: 'kept' } as never),
  ).toEqual({ _id: 'kept' })
  await reader.close()
}, 120_000)
