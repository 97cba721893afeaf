import type { MongoClient } from 'mongodb'

/** A probe's database is its own: dropped (best effort) and the client closed. */
export async function dropProbeDatabase(client: MongoClient): Promise<void> {
  await client
    .db()
    .dropDatabase()
    .catch(() => {})
  await client.close()
}
