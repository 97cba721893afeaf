import { ensureIndex } from '@hangout/infra/mongo-index'
import { ConfigError } from '@hangout/infra/config'
import { Collections, MESSAGES_INDEX } from '@hangout/protocol'
import closeWithGrace from 'close-with-grace'
import { Redis, type RedisOptions } from 'ioredis'
import { MongoClient } from 'mongodb'
import { buildGateway } from './app.js'
import { type GatewayConfig, loadConfig } from './config.js'

function readConfig(): GatewayConfig {
  try {
    return loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(1)
    }
    throw err
  }
}

async function connectRedis(url: string, options: RedisOptions): Promise<Redis> {
  const client = new Redis(url, { ...options, lazyConnect: true })
  client.on('error', (err) => console.error(`redis: ${err.message}`))
  try {
    await client.connect()
  } catch (err) {
    console.error(
      `gateway: Redis at ${url.replace(/\/\/[^@/]*@/, '//***@')} does not answer (${(err as Error).message}); exiting`,
    )
    process.exit(1)
  }
  return client
}

const config = readConfig()
// Commands fail fast while Redis is away (the client gets INTERNAL) instead of piling up.
const redis = await connectRedis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2000 })
const pub = await connectRedis(config.redisUrl, { maxRetriesPerRequest: 1 })
// Subscriptions wait for Redis to come back rather than fail.
const sub = await connectRedis(config.redisUrl, { maxRetriesPerRequest: null })
const mongo = new MongoClient(config.mongoUrl, { serverSelectionTimeoutMS: 2000 })
const db = mongo.db()
// MongoDB may be down now: chat answers INTERNAL until it is back, everything else works.
await ensureIndex(db.collection(Collections.messages), MESSAGES_INDEX).catch((err: Error) =>
  console.error(`mongodb: messages index not ensured: ${err.message}`),
)

const gateway = await buildGateway(config, { redis, pub, sub, db })
// Liveness first: it removes presence an earlier run of this node id left behind, which must not
// take with it the joins of sockets that arrive as soon as the port is open.
await gateway.start()
await gateway.app.listen({ port: config.port, host: config.host })
console.log(`gateway ${config.nodeId} listening on http://${config.host}:${config.port} (adapter ${config.adapter})`)

process.on('unhandledRejection', (err) => console.error('unhandled rejection:', err))

closeWithGrace({ delay: config.graceMs + 5000 }, async ({ signal, err }) => {
  if (err) console.error(err)
  if (signal) {
    console.log(`gateway ${config.nodeId}: ${signal}, draining`)
    await gateway.drain()
  }
  await gateway.close()
  await Promise.all([redis.quit(), pub.quit(), sub.quit(), mongo.close()])
})
