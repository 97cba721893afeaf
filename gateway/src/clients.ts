import { createRedisClient, describeRedisTarget, type Logger, type RedisClient, type RedisTarget } from '@hangout/runtime'
import { messagesStore } from '@hangout/store'
import type { RedisOptions } from 'ioredis'
import { MongoClient } from 'mongodb'
import type { GatewayClients } from './app.js'
import type { GatewayConfig } from './config.js'

/** The gateway's connections: commands, the adapter's publisher and subscriber, and MongoDB. */
export async function connectClients(config: GatewayConfig, log: Logger): Promise<GatewayClients & { mongo: MongoClient }> {
  const redisLog = log.child({ module: 'redis' })
  // On one Redis, the commands of one event-loop turn go out in one write (ioredis' auto-pipelining,
  // in the order they were sent): a write is a costly syscall, and a join sends several commands
  // (in a join storm's profile, one write each took ~300 µs of a join's ~1,700). Not on a Redis
  // Cluster: there, a MOVED or ASK answered to one command of a pipeline whose other commands
  // succeeded is not followed (ioredis retries a pipeline only when all of it failed alike), and a
  // reshard would fail those commands instead of redirecting them.
  const autoPipelined = { enableAutoPipelining: config.redis.kind === 'single' }
  // Commands fail fast while Redis is away (the client gets INTERNAL) instead of piling up.
  const redis = await connectRedis(config.redis, { maxRetriesPerRequest: 1, commandTimeout: 2000, ...autoPipelined }, redisLog)
  const pub = await connectRedis(config.redis, { maxRetriesPerRequest: 1, ...autoPipelined }, redisLog)
  // Subscriptions wait for Redis to come back rather than fail.
  const sub = await connectRedis(config.redis, { maxRetriesPerRequest: null }, redisLog)
  // Bounded like Redis: a MongoDB that accepts connections but stops answering (frozen, swamped)
  // fails the chat write in 2-5 s, and the sender gets INTERNAL, instead of a write that never
  // returns (the driver's connect waits 30 s, its socket forever, by default).
  const mongo = new MongoClient(config.mongoUrl, {
    serverSelectionTimeoutMS: 2000,
    connectTimeoutMS: 5000,
    socketTimeoutMS: 5000,
  })
  const db = mongo.db()
  // MongoDB may be down now: chat answers INTERNAL until it is back, everything else works.
  await messagesStore(db)
    .ensureIndexes()
    .catch((err: Error) => log.warn({ reason: err.message }, 'mongodb: messages index not ensured'))
  return { redis, pub, sub, db, mongo }
}

export async function closeClients(clients: GatewayClients & { mongo: MongoClient }): Promise<void> {
  await Promise.all([clients.redis.quit(), clients.pub.quit(), clients.sub.quit(), clients.mongo.close()])
}

async function connectRedis(target: RedisTarget, options: RedisOptions, log: Logger): Promise<RedisClient> {
  const client = createRedisClient(target, options)
  client.on('error', (err: Error) => log.warn({ reason: err.message }, 'redis connection error'))
  try {
    await client.connect()
  } catch (err) {
    client.disconnect()
    throw new Error(`Redis at ${describeRedisTarget(target)} does not answer (${(err as Error).message})`)
  }
  return client
}
