import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { MongoClient } from 'mongodb'
import { DATA_DIR, FERRETDB_BIN } from './paths.js'
import { ManagedProcess, portOpen, waitFor, waitForPort } from './process.js'

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'
export const DEFAULT_MONGO_URL = 'mongodb://127.0.0.1:27017/hangout'

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
}

/** A redis-server of our own that keeps nothing on disk, as the machine's Redis does. */
export async function startRedis(port: number, logFile?: string, options: RedisOptions = {}): Promise<ManagedProcess> {
  const clusterArgs: string[] = []
  if (options.clusterMode) {
    const dir = join(DATA_DIR, `redis-cluster-${port}`)
    mkdirSync(dir, { recursive: true })
    rmSync(join(dir, 'nodes.conf'), { force: true })
    clusterArgs.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'))
  }
  const proc = new ManagedProcess({
    name: `redis:${port}`,
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...clusterArgs],
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

export interface EnsuredServices {
  redisUrl: string
  mongoUrl: string
  /** The servers this call started; the caller stops them. */
  started: ManagedProcess[]
}

/**
 * Uses the Redis on REDIS_URL and the MongoDB on MONGO_URL when they answer; otherwise starts a
 * local redis-server and FerretDB on the contract's default ports.
 */
export async function ensureServices(env: NodeJS.ProcessEnv = process.env, logDir?: string): Promise<EnsuredServices> {
  const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL
  const mongoUrl = env.MONGO_URL ?? DEFAULT_MONGO_URL
  const started: ManagedProcess[] = []
  const redisPort = Number(new URL(redisUrl).port || 6379)
  if (!(await answersOrBusy(redisUrl, redisPort, redisAnswers))) {
    started.push(await startRedis(redisPort, logDir && join(logDir, 'redis.log')))
  }
  const mongoPort = Number(new URL(mongoUrl).port || 27017)
  if (!(await answersOrBusy(mongoUrl, mongoPort, mongoAnswers))) {
    if (env.MONGO_URL) throw new Error(`MONGO_URL (${redact(mongoUrl)}) does not answer`)
    started.push(await startFerretDb(mongoPort, undefined, logDir && join(logDir, 'ferretdb.log')))
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
