import { Collections } from '@hangout/store'
import { MongoClient } from 'mongodb'
import { psql } from './postgres.js'

/**
 * FerretDB v1's PostgreSQL backend filters with jsonb containment (`_jsonb->'roomId' @> '"r"'`),
 * which the btree indexes it creates for MongoDB indexes cannot serve: every history page would
 * scan all rooms' messages. A GIN index (jsonb_path_ops) on roomId serves that filter, so a page
 * reads only its room's messages. Created in PostgreSQL next to FerretDB's own indexes (FerretDB
 * lists only its own, and dropping the collection drops the table with it). Idempotent.
 */
export async function indexRoomMessages(pgUrl: string, mongoUrl: string): Promise<void> {
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 })
  try {
    const db = client.db()
    // FerretDB creates a collection's table on first use.
    if (!(await db.listCollections({ name: Collections.messages }).toArray()).length)
      await db.createCollection(Collections.messages)
    const schema = db.databaseName
    if (!/^\w+$/.test(schema)) throw new Error(`the database name must be a plain word, not ${JSON.stringify(schema)}`)
    const table = psql(
      pgUrl,
      `SELECT _jsonb->>'table' FROM "${schema}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = '${Collections.messages}'`,
    )
    if (!/^\w+$/.test(table))
      throw new Error(`FerretDB's table for ${schema}.${Collections.messages} not found (got ${JSON.stringify(table)})`)
    psql(
      pgUrl,
      `CREATE INDEX IF NOT EXISTS hangout_messages_room_gin ON "${schema}"."${table}" USING gin ((_jsonb -> 'roomId') jsonb_path_ops)`,
    )
  } finally {
    await client.close()
  }
}
