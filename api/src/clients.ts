import { createRedisClient, type RedisClient, type RedisTarget } from '@hangout/runtime'
import { type Db, MongoClient } from 'mongodb'

/** The connections the API works with; whoever creates them closes them. */
export interface ApiClients {
  mongo: MongoClient
  db: Db
  redis: RedisClient
}

export async function connectClients(config: {
  mongoUrl: string
  redis: RedisTarget
  dependencyTimeoutMs: number
}): Promise<ApiClients> {
  // Every wait bounded: a server gone (server selection), one that accepts TCP but never completes
  // the handshake (connect: 30 s by default), one that stopped answering on an open connection
  // (socket: unbounded by default), as a frozen or swamped server does. (The driver's timeoutMS
  // would bound the whole operation at once, but this driver version ignores it.)
  const mongo = new MongoClient(config.mongoUrl, {
    serverSelectionTimeoutMS: config.dependencyTimeoutMs,
    connectTimeoutMS: config.dependencyTimeoutMs,
    socketTimeoutMS: config.dependencyTimeoutMs,
  })
  await mongo.connect()
  const redis = createRedisClient(config.redis, {
    maxRetriesPerRequest: 1,
    commandTimeout: config.dependencyTimeoutMs,
    connectTimeout: 2000,
    enableOfflineQueue: false,
  })
  try {
    await redis.connect()
  } catch (err) {
    redis.disconnect()
    await mongo.close()
    throw err
  }
  return { mongo, db: mongo.db(), redis }
}

export async function closeClients(clients: ApiClients): Promise<void> {
  clients.redis.disconnect()
  await clients.mongo.close()
}
