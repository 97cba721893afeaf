import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { MongoClient } from 'mongodb'
import { DEFAULT_MONGO_URL, DEFAULT_REDIS_URL } from '@hangout/runtime'
import { DATA_DIR, FERRETDB_BIN } from './paths.js'
import { indexRoomMessages } from './ferretdb-pg-index.js'
import { ensurePostgres } from './postgres.js'
import { ManagedProcess, portOpen, waitFor, waitForPort } from './process.js'

export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

export async function mongoAnswers(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 })
  try {
    await client.connect()
    await client.db().command({ ping: 1 })
    return true
  } catch {
    return false
  } finally {
    await client.close().catch(() => {})
  }
}

export interface RedisOptions {
  /**
   * A one-node Redis Cluster owning every slot: it answers like a cluster (CROSSSLOT for a command,
   * transaction or script spanning two hash slots; sharded pub/sub), so code can prove it is
   * cluster-safe with a plain client.
   */
  clusterMode?: boolean
  /**
   * Keeps its dataset in `dir/dump.rdb` (written by SAVE or BGSAVE, or at shutdown; no automatic
   * snapshots) and loads it at start: a restart from an older snapshot, as after a restore.
   */
  snapshotDir?: string
}

/** A redis-server of our own that keeps nothing on disk (as the machine's Redis does) unless given a snapshot directory. */
export async function startRedis(port: number, logFile?: string, options: RedisOptions = {}): Promise<ManagedProcess> {
  const clusterArgs: string[] = []
  if (options.clusterMode) {
    const dir = join(DATA_DIR, `redis-cluster-${port}`)
    mkdirSync(dir, { recursive: true })
    rmSync(join(dir, 'nodes.conf'), { force: true })
    clusterArgs.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'))
  }
  const persistence = options.snapshotDir
    ? ['--dir', options.snapshotDir, '--dbfilename', 'dump.rdb', '--save', '86400 1000000000']
    : ['--save', '']
  const proc = new ManagedProcess({
    name: `redis:${port}`,
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--appendonly', 'no', ...clusterArgs],
    logFile,
  })
  await waitForPort(port, proc)
  await waitFor(`redis on ${port}`, () => redisAnswers(`redis://127.0.0.1:${port}`))
  if (options.clusterMode) await claimAllSlots(port)
  return proc
}

async function claimAllSlots(port: number): Promise<void> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 })
  try {
    await client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
    await waitFor(`redis cluster on ${port}`, async () => /cluster_state:ok/.test(String(await client.call('CLUSTER', 'INFO'))))
  } finally {
    client.disconnect()
  }
}

/** FerretDB (MongoDB wire protocol) with its SQLite backend, in `dir`. */
export async function startFerretDb(port: number, dir = join(DATA_DIR, 'ferretdb'), logFile?: string): Promise<ManagedProcess> {
  if (!existsSync(FERRETDB_BIN)) {
    throw new Error(`FerretDB is not built at ${FERRETDB_BIN}: run infra/bootstrap.sh, or set MONGO_URL to a MongoDB`)
  }
  mkdirSync(dir, { recursive: true })
  const proc = new ManagedProcess({
    name: `ferretdb:${port}`,
    command: FERRETDB_BIN,
    args: ['--listen-addr', `127.0.0.1:${port}`, '--handler', 'sqlite', '--sqlite-url', `file:${dir}/`],
    logFile,
  })
  await waitForPort(port, proc)
  await waitFor(`ferretdb on ${port}`, () => mongoAnswers(`mongodb://127.0.0.1:${port}/`))
  return proc
}

/** FerretDB with its PostgreSQL backend, on the PostgreSQL database at `pgUrl`. */
export async function startFerretDbOnPostgres(port: number, pgUrl: string, logFile?: string): Promise<ManagedProcess> {
  if (!existsSync(FERRETDB_BIN)) {
    throw new Error(`FerretDB is not built at ${FERRETDB_BIN}: run infra/bootstrap.sh, or set MONGO_URL to a MongoDB`)
  }
  const proc = new ManagedProcess({
    name: `ferretdb-pg:${port}`,
    command: FERRETDB_BIN,
    args: ['--listen-addr', `127.0.0.1:${port}`, '--handler', 'postgresql', '--postgresql-url', pgUrl],
    logFile,
  })
  await waitForPort(port, proc)
  await waitFor(`ferretdb (postgresql) on ${port}`, () => mongoAnswers(`mongodb://127.0.0.1:${port}/`))
  return proc
}

/** The local store when no MongoDB answers: FerretDB on PostgreSQL (default), or on embedded SQLite. */
export type LocalStore = 'postgres' | 'sqlite'

export function localStore(env: NodeJS.ProcessEnv): LocalStore {
  const store = env.HANGOUT_STORE ?? 'postgres'
  if (store !== 'postgres' && store !== 'sqlite')
    throw new Error(`HANGOUT_STORE must be postgres or sqlite, not ${JSON.stringify(store)}`)
  return store
}

export interface EnsuredServices {
  redisUrl: string
  mongoUrl: string
  /** The servers this call started; the caller stops them. */
  started: ManagedProcess[]
}

/**
 * Uses the Redis on REDIS_URL (none when REDIS_CLUSTER_NODES is set) and the MongoDB on MONGO_URL when they answer; otherwise starts a
 * local redis-server and FerretDB on the contract's default ports: FerretDB on PostgreSQL (the one
 * on PG_URL, or a cluster of our own, see postgres.ts), or with HANGOUT_STORE=sqlite on SQLite.
 */
export async function ensureServices(env: NodeJS.ProcessEnv = process.env, logDir?: string): Promise<EnsuredServices> {
  const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL
  const mongoUrl = env.MONGO_URL ?? DEFAULT_MONGO_URL
  const started: ManagedProcess[] = []
  const redisPort = Number(new URL(redisUrl).port || 6379)
  // A Redis Cluster (REDIS_CLUSTER_NODES) is the caller's: REDIS_URL is not used then.
  if (!env.REDIS_CLUSTER_NODES && !(await answersOrBusy(redisUrl, redisPort, redisAnswers))) {
    started.push(await startRedis(redisPort, logDir && join(logDir, 'redis.log')))
  }
  const mongoPort = Number(new URL(mongoUrl).port || 27017)
  if (!(await answersOrBusy(mongoUrl, mongoPort, mongoAnswers))) {
    if (env.MONGO_URL) throw new Error(`MONGO_URL (${redact(mongoUrl)}) does not answer`)
    if (localStore(env) === 'sqlite') {
      started.push(await startFerretDb(mongoPort, undefined, logDir && join(logDir, 'ferretdb.log')))
    } else {
      const pg = await ensurePostgres(env, logDir && join(logDir, 'postgres.log'))
      if (pg.started) started.push(pg.started)
      started.push(await startFerretDbOnPostgres(mongoPort, pg.url, logDir && join(logDir, 'ferretdb.log')))
      await indexRoomMessages(pg.url, mongoUrl)
    }
  }
  return { redisUrl, mongoUrl, started }
}

/**
 * True when the server answers. A port that is open but slow to answer (a loaded machine) is
 * waited for, never doubled: a second FerretDB on the same data folder corrupts the first's
 * SQLite WAL. Throws when something listens there but never answers.
 */
async function answersOrBusy(url: string, port: number, answers: (url: string) => Promise<boolean>): Promise<boolean> {
  if (await answers(url)) return true
  if (!(await portOpen(port))) return false
  await waitFor(`the server on port ${port} to answer`, () => answers(url), 60000, 500)
  return true
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}
