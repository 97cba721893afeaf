/**
 * A whole cluster for one reliability suite: startCluster (real API, gateways, nginx edge) on a
 * MongoDB database of its own, and a Redis of its own, so faults injected here touch nobody else.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { type Cluster, type ClusterOptions, startCluster } from '@hangout/infra/cluster'
import { DATA_DIR } from '@hangout/infra/paths'
import { Collections } from '@hangout/store'
import { type Db, MongoClient } from 'mongodb'
import { type Client, type TestUser, testMongoUrl } from './clients.js'
import { io } from 'socket.io-client'

export interface ClusterUnderTest {
  cluster: Cluster
  /** This cluster's process logs (api.log, gateway-<i>.log, nginx.log). */
  logDir: string
  mongoUrl: string
  db: Db
  /** Sockets opened through `track`, disconnected by `stop`. */
  track(socket: Client): Client
  /** Rows of a collection in this cluster's database. */
  count(collection: keyof typeof Collections): Promise<number>
  stop(): Promise<void>
}

/** `env` goes to the API and the gateways; a private Redis unless `env.REDIS_URL` is given. */
export async function startClusterUnderTest(options: ClusterOptions = {}): Promise<ClusterUnderTest> {
  const mongoUrl = options.env?.MONGO_URL ?? testMongoUrl()
  const logDir = join(DATA_DIR, 'logs', `reliability-${randomBytes(4).toString('hex')}`)
  const cluster = await startCluster({
    privateRedis: options.env?.REDIS_URL === undefined && options.redisCluster === undefined,
    logDir,
    ...options,
    env: { RATE_LIMIT_MAX: '100000', ...options.env, MONGO_URL: mongoUrl },
  })
  const mongo = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 })
  const db = mongo.db()
  const sockets: Client[] = []
  return {
    cluster,
    logDir,
    mongoUrl,
    db,
    track(socket) {
      sockets.push(socket)
      return socket
    },
    count: (collection) => db.collection(Collections[collection]).countDocuments(),
    async stop() {
      for (const socket of sockets) socket.disconnect()
      await cluster.stop()
      await db.dropDatabase().catch(() => undefined)
      await mongo.close()
    },
  }
}

/** Every event one socket receives, whatever its name, in order. */
export function recordAll(socket: Client): { event: string; args: unknown[] }[] {
  const seen: { event: string; args: unknown[] }[] = []
  socket.onAny((event: string, ...args: unknown[]) => seen.push({ event, args }))
  return seen
}

/** A socket straight to one node at `url`, bypassing the edge (so one room can span two nodes), closed by `t.stop`. */
export function directSocket(t: ClusterUnderTest, url: string, roomId: string, user: TestUser): Client {
  return t.track(
    io(url, {
      path: '/socket.io',
      query: { room: roomId },
      auth: { token: user.token },
      transports: ['websocket'],
      forceNew: true,
    }),
  )
}
