/** A fresh 3-node (or N) cluster for a benchmark: its own Redis, its own MongoDB database, no API rate limit. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Cluster, startCluster } from '@hangout/infra/cluster'
import { DATA_DIR } from '@hangout/infra/paths'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { mongoAnswers, startFerretDb } from '@hangout/infra/services'
import { DEFAULT_MONGO_URL } from '@hangout/runtime'
import { Redis } from 'ioredis'
import { MongoClient } from 'mongodb'
import { indexRoomMessages } from '@hangout/infra/ferretdb-pg-index'
import { startFerretDbOnPostgres } from './ferretdb-postgres.js'

export interface BenchCluster {
  cluster: Cluster
  redis: Redis
  stop(): Promise<void>
}

export type BenchStore = 'sqlite' | 'ferretdb-pg'

export interface BenchClusterOptions {
  /** Handed to the API and the gateways. */
  env?: NodeJS.ProcessEnv
  /** 'sqlite': MONGO_URL or the machine's shared MongoDB-wire server; 'ferretdb-pg': a FerretDB of our own on PostgreSQL. */
  store?: BenchStore
  gatewayBalance?: 'room-hash' | 'round-robin'
}

export async function startBenchCluster(gateways: number, options: BenchClusterOptions = {}): Promise<BenchCluster> {
  const env = options.env ?? {}
  const dir = join(DATA_DIR, 'bench')
  const www = join(dir, 'www')
  mkdirSync(www, { recursive: true })
  // The MongoDB-wire server on MONGO_URL or the machine's shared one; when none answers, a FerretDB
  // of our own on a free port (never one on the shared port, which others would come to rely on).
  const started: ManagedProcess[] = []
  // FerretDB before the PostgreSQL it uses.
  const stopServices = async () => {
    for (const p of [...started].reverse()) await p.stop()
  }
  let mongoUrl = process.env.MONGO_URL ?? DEFAULT_MONGO_URL
  let pgUrl: string | undefined
  if (options.store === 'ferretdb-pg') {
    const pg = await startFerretDbOnPostgres(join(dir, 'logs', 'ferretdb-pg.log'))
    started.push(...pg.procs)
    mongoUrl = pg.mongoUrl
    pgUrl = pg.pgUrl
  } else if (!process.env.MONGO_URL && !(await mongoAnswers(mongoUrl))) {
    const port = await freePort()
    started.push(await startFerretDb(port, join(dir, 'ferretdb'), join(dir, 'logs', 'ferretdb.log')))
    mongoUrl = `mongodb://127.0.0.1:${port}/hangout`
  }
  const mongo = new URL(mongoUrl)
  mongo.pathname = `/hangout_bench_${Date.now().toString(36)}`
  // As the local default store has it (services.ts): history pages from an index.
  if (pgUrl)
    await indexRoomMessages(pgUrl, mongo.toString()).catch(async (err: Error) => {
      await stopServices()
      throw err
    })
  const cluster = await startCluster({
    gateways,
    privateRedis: true,
    gatewayBalance: options.gatewayBalance,
    logDir: join(dir, 'logs'),
    webRoot: www,
    env: {
      MONGO_URL: mongo.toString(),
      // The bench registers hundreds of users from one address.
      RATE_LIMIT_MAX: '1000000',
      LOG_LEVEL: 'warn',
      ...env,
    },
  }).catch(async (err: Error) => {
    await stopServices()
    throw err
  })
  const redisUrl = cluster.env.REDIS_URL
  if (!redisUrl) throw new Error('the cluster did not say which Redis it uses')
  const redis = new Redis(redisUrl)
  return {
    cluster,
    redis,
    async stop() {
      redis.disconnect()
      await cluster.stop()
      const client = new MongoClient(mongo.toString(), { serverSelectionTimeoutMS: 3000 })
      try {
        await client.connect()
        await client.db().dropDatabase()
      } catch (err) {
        process.stderr.write(`warning: could not drop the bench database ${mongo.pathname.slice(1)}: ${(err as Error).message}\n`)
      } finally {
        await client.close()
        await stopServices()
      }
    },
  }
}
