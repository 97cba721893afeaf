import { Redis } from 'ioredis'
import { type Db, MongoClient } from 'mongodb'

/** The connections the API works with; whoever creates them closes them. */
export interface ApiClients {
  mongo: MongoClient
  db: Db
  redis: Redis
}

export async function connectClients(config: { MONGO_URL: string; REDIS_URL: string }): Promise<ApiClients> {
  const mongo = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5000 })
  await mongo.connect()
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    enableOfflineQueue: false,
    lazyConnect: true,
  })
  try {
    await redis.connect()
  } catch (err) {
    await mongo.close()
    throw err
  }
  return { mongo, db: mongo.db(), redis }
}

export async function closeClients(clients: ApiClients): Promise<void> {
  clients.redis.disconnect()
  await clients.mongo.close()
}
