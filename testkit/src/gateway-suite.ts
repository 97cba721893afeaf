/**
 * One gateway Cluster for a whole test file: its private Redis and `nodes` gateway processes
 * (and, if asked, a MongoDB-wire server of its own) started before the file's tests, all stopped
 * after them.
 */
import type { RedisOptions as ServerOptions } from '@hangout/infra/services'
import { Redis, type RedisOptions as ClientOptions } from 'ioredis'
import { Cluster } from './gateway-cluster.js'
import { PrivateMongo } from './private-mongo.js'

export interface GatewaySuiteOptions {
  /** Gateway processes started before the tests (a test may add more with `cluster.addNode`). */
  nodes: number
  /** The gateways' environment (GRACE_MS, HEARTBEAT_MS, …). */
  env?: NodeJS.ProcessEnv
  /** How the cluster's private Redis server runs (snapshots, cluster mode). */
  redisServer?: ServerOptions
  /** Options of the `redis` client. */
  redisClient?: ClientOptions
  /** A MongoDB-wire server of the suite's own (`mongo`) rather than a database on the shared one. */
  privateMongo?: boolean
}

export interface GatewaySuite {
  cluster: Cluster
  /** A client of the cluster's Redis, opened on first use (once the cluster has started), closed after the tests. */
  readonly redis: Redis
  /** The suite's own MongoDB-wire server, with `privateMongo`. */
  readonly mongo: PrivateMongo
}

export function gatewaySuite(options: GatewaySuiteOptions): GatewaySuite {
  let mongo: PrivateMongo | undefined
  const privateMongo = (): PrivateMongo => {
    if (!mongo) throw new Error('gatewaySuite: no private MongoDB (not asked for, or not started yet)')
    return mongo
  }
  const cluster = options.privateMongo ? new Cluster(options.env, () => privateMongo().url) : new Cluster(options.env)
  let redis: Redis | undefined
  beforeAll(async () => {
    if (options.privateMongo) mongo = await PrivateMongo.start()
    await cluster.start(options.nodes, options.redisServer)
  }, 120_000)
  afterAll(async () => {
    // A server a test left frozen must answer the cluster's teardown.
    mongo?.signal('SIGCONT')
    redis?.disconnect()
    await cluster.stop()
    await mongo?.stop()
  })
  return {
    cluster,
    get redis() {
      if (!cluster.redisPort) throw new Error('gatewaySuite: the cluster has not started yet')
      redis ??= new Redis(cluster.redisUrl, options.redisClient ?? {})
      return redis
    },
    get mongo() {
      return privateMongo()
    },
  }
}
