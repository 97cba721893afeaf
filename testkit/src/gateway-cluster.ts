import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startGateway } from '@hangout/infra/start-service'
import { DEFAULT_MONGO_URL, ensureDevKeyPair } from '@hangout/runtime'
import { freePort, type ManagedProcess, waitFor } from '@hangout/infra/process'
import { type RedisOptions, startRedis } from '@hangout/infra/services'
import { type RedisCluster, startRedisCluster } from '@hangout/infra/redis-cluster'
import { DATA_DIR } from '@hangout/infra/paths'
import {
  type ClientToServerEvents,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  type JoinRoomAck,
  type JoinRoomOk,
  type ServerToClientEvents,
  TOKEN_ALGORITHM,
} from '@hangout/protocol'
import { Collections, type MessageDoc, type RoomDoc, type UserDoc } from '@hangout/store'
import { createSigner } from 'fast-jwt'
import { type Db, MongoClient } from 'mongodb'
import { io, type Socket } from 'socket.io-client'

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>

export function randomId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`
}

const privateKey = readFileSync(ensureDevKeyPair().privateKeyFile, 'utf8')

export interface TokenOptions {
  key?: string
  expiresInMs?: number
  /** When the token was issued (ms since the epoch); default now. */
  issuedAtMs?: number
  issuer?: string
  audience?: string
  /** The token's id; a new one by default. */
  jti?: string
}

/** A token as the API signs it (dev key pair), or a bad one for the refusal cases. */
export function signToken(user: { id: string; name: string }, options: TokenOptions = {}): string {
  const sign = createSigner({
    key: options.key ?? privateKey,
    algorithm: TOKEN_ALGORITHM,
    iss: options.issuer ?? DEFAULT_TOKEN_ISSUER,
    aud: options.audience ?? DEFAULT_TOKEN_AUDIENCE,
    expiresIn: options.expiresInMs ?? 3_600_000,
    ...(options.issuedAtMs ? { clockTimestamp: options.issuedAtMs } : {}),
  })
  return sign({ sub: user.id, name: user.name, jti: options.jti ?? randomUUID() })
}

export function foreignPrivateKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

export interface Node {
  id: string
  port: number
  proc: ManagedProcess
}

/** A private Redis, a MongoDB database of its own, and `count` real gateway processes. */
export class Cluster {
  nodes: Node[] = []
  readonly prefix = randomId('gw')
  readonly dbName = `hangout_test_${randomBytes(5).toString('hex')}`
  redisPort = 0
  redis: ManagedProcess | undefined
  private client: MongoClient | undefined
  private readonly sockets: Client[] = []

  /**
   * `mongoServer`: a MongoDB URL without a database, by default the shared server's; a function
   * for a server the suite starts itself, read on first use (once it has started).
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv = {},
    private readonly mongoServer: string | (() => string) = (process.env.MONGO_URL ?? DEFAULT_MONGO_URL).replace(/\/[^/]*$/, ''),
  ) {}

  get mongoUrl(): string {
    return `${typeof this.mongoServer === 'string' ? this.mongoServer : this.mongoServer()}/${this.dbName}`
  }

  get mongo(): MongoClient {
    this.client ??= new MongoClient(this.mongoUrl, { serverSelectionTimeoutMS: 5000 })
    return this.client
  }

  get db(): Db {
    return this.mongo.db()
  }

  /** The Redis Cluster of `startOnRedisCluster`, when the nodes run on one. */
  redisCluster: RedisCluster | undefined

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.redisPort}`
  }

  async start(count: number, redisOptions: RedisOptions = {}): Promise<void> {
    this.redisPort = await freePort()
    this.redis = await startRedis(this.redisPort, undefined, redisOptions)
    await Promise.all(Array.from({ length: count }, () => this.addNode()))
  }

  /** As `start`, on a real Redis Cluster of its own (3 masters, 1 replica each): the nodes get REDIS_CLUSTER_NODES. */
  async startOnRedisCluster(count: number): Promise<void> {
    this.redisCluster = await startRedisCluster({ dir: join(DATA_DIR, 'run', `redis-cluster-${this.prefix}`) })
    await Promise.all(Array.from({ length: count }, () => this.addNode()))
  }

  /** What the nodes are told of Redis. */
  private redisEnv(): NodeJS.ProcessEnv {
    return this.redisCluster ? { REDIS_CLUSTER_NODES: this.redisCluster.seeds } : { REDIS_URL: this.redisUrl }
  }

  /** `port` also names the node (`${prefix}-${port}`), so a test can prepare Redis for a node id before it starts. */
  async addNode(port?: number): Promise<Node> {
    port ??= await freePort()
    const id = `${this.prefix}-${port}`
    const proc = await startGateway({
      port,
      nodeId: id,
      env: { ...this.redisEnv(), MONGO_URL: this.mongoUrl, ...this.env },
    })
    const node = { id, port, proc }
    this.nodes.push(node)
    return node
  }

  node(i: number): Node {
    const node = this.nodes[i]
    if (!node) throw new Error(`no node ${i}`)
    return node
  }

  async insertMessages(docs: MessageDoc[]): Promise<void> {
    await this.db.collection<MessageDoc>(Collections.messages).insertMany(docs)
  }

  async createRoom(ownerId = randomId('owner')): Promise<string> {
    const id = randomId('room')
    await this.db
      .collection<RoomDoc>(Collections.rooms)
      .insertOne({ _id: id, name: `Room ${id}`, ownerId, createdAt: new Date() })
    return id
  }

  /** Stores the user in the cluster's database, as the API's register would. */
  async addUser(user: { id: string; name: string }): Promise<void> {
    const doc: UserDoc = {
      _id: user.id,
      name: user.name,
      email: `${user.id}@test.example`,
      emailKey: `${user.id}@test.example`,
      passwordHash: 'not-a-hash',
      createdAt: new Date(),
    }
    await this.db.collection<UserDoc>(Collections.users).updateOne({ _id: user.id }, { $setOnInsert: doc }, { upsert: true })
  }

  /** A socket.io client straight to one node (no edge yet), connected or refused. */
  socket(node: Node, token: string, room: string, options: { origin?: string; reconnection?: boolean } = {}): Client {
    const socket: Client = io(`http://127.0.0.1:${node.port}`, {
      path: '/socket.io',
      query: { room },
      auth: { token },
      transports: ['websocket'],
      reconnection: options.reconnection ?? false,
      forceNew: true,
      extraHeaders: options.origin ? { origin: options.origin } : {},
    })
    this.sockets.push(socket)
    return socket
  }

  async connect(node: Node, token: string, room: string): Promise<Client> {
    const socket = this.socket(node, token, room)
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('connect_error', reject)
    })
    return socket
  }

  /** Connects a user to a node and joins the room; answers the socket and the join ack. */
  async join(node: Node, user: { id: string; name: string }, roomId: string): Promise<{ socket: Client; ack: JoinRoomOk }> {
    await this.addUser(user)
    const socket = await this.connect(node, signToken(user), roomId)
    const ack: JoinRoomAck = await socket.timeout(10_000).emitWithAck('join_room', { roomId })
    if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`)
    return { socket, ack }
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.disconnect()
    await Promise.all(this.nodes.map((node) => node.proc.kill()))
    await this.redis?.kill()
    await this.redisCluster?.stop()
    await this.db.dropDatabase().catch(() => undefined)
    await this.mongo.close()
  }
}

/** Everything one socket receives of one event. */
export function collect<E extends keyof ServerToClientEvents>(
  socket: Client,
  event: E,
): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = []
  const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => seen.push(payload)
  ;(socket as unknown as { on(e: string, l: (p: unknown) => void): void }).on(event, listener as (p: unknown) => void)
  return seen
}

export function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  return waitFor(what, async () => check(), timeoutMs, 20)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function user(name: string) {
  return { id: randomId('u'), name }
}
