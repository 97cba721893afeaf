import {
  ConfigError,
  DEFAULT_MONGO_URL,
  DEFAULT_REDIS_URL,
  DEV_PUBLIC_KEY_FILE,
  LOG_LEVELS,
  type LogLevel,
  readEnvConfig,
  readKey,
  type RedisTarget,
  redisTarget,
} from '@hangout/runtime'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@hangout/protocol'
import Type from 'typebox'
import { EVENT_LIMITS, type EventLimits } from './socket/limits.js'

/** The environment a gateway node reads once at start; the property names are the variable names. */
export const GatewayEnv = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3101 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  NODE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' })),
  UPSTREAM: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_URL: Type.String({ minLength: 1, default: DEFAULT_REDIS_URL }),
  /** Seed nodes of a Redis Cluster, `host:port,...`: when set, every connection goes to the cluster and REDIS_URL is unused. */
  REDIS_CLUSTER_NODES: Type.Optional(Type.String()),
  MONGO_URL: Type.String({ minLength: 1, default: DEFAULT_MONGO_URL }),
  JWT_ISSUER: Type.String({ minLength: 1, default: DEFAULT_TOKEN_ISSUER }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: DEFAULT_TOKEN_AUDIENCE }),
  ALLOWED_ORIGINS: Type.String({ default: 'http://127.0.0.1:8080,http://localhost:8080' }),
  GRACE_MS: Type.Integer({ minimum: 0, maximum: 5000, default: 3000 }),
  HEARTBEAT_MS: Type.Integer({ minimum: 100, maximum: 10000, default: 1000 }),
  NODE_TTL_MS: Type.Integer({ minimum: 500, maximum: 8000, default: 4000 }),
  CHAT_RATE: Type.Number({ exclusiveMinimum: 0, maximum: 100000, default: EVENT_LIMITS.message.perSecond }),
  CHAT_BURST: Type.Integer({ minimum: 1, maximum: 100000, default: EVENT_LIMITS.message.burst }),
  SCROLL_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 1000, default: 50 }),
  /** Page, scroll and highlights reach Redis at most this long after a change (write-behind); 0: at once. */
  STATE_WRITE_MS: Type.Integer({ minimum: 0, maximum: 1000, default: 150 }),
  /** A room's state and chat counter leave Redis after this long without a write (the counter comes back from MongoDB). */
  IDLE_ROOM_TTL_MS: Type.Integer({ minimum: 1000, maximum: 2592000000, default: 86400000 }),
  SLOW_CLIENT_BYTES: Type.Integer({ minimum: 65536, maximum: 1073741824, default: 1048576 }),
  // 'memory': Socket.io's own in-memory adapter, broadcasts reach this node's sockets only. For the
  // single-server baseline of the benchmarks; a cluster of such nodes does not share rooms.
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info' }),
  // Engine.IO's heartbeat: a frozen node shows within pingInterval + pingTimeout (the web app's
  // "reconnecting" badge follows a silence of pingInterval + 1 s, client/src/silence.ts).
  PING_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: 60000, default: 4000 }),
  PING_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 60000, default: 3000 }),
  ADAPTER: Type.Union([Type.Literal('sharded'), Type.Literal('classic'), Type.Literal('memory')], { default: 'sharded' }),
})

export interface GatewayConfig {
  port: number
  host: string
  nodeId: string
  /** This node as written in nginx's upstream block: the ring's member string. */
  upstream: string
  /** REDIS_URL, or the cluster of REDIS_CLUSTER_NODES. */
  redis: RedisTarget
  mongoUrl: string
  jwt: { publicKey: string; issuer: string; audience: string }
  allowedOrigins: string[]
  graceMs: number
  heartbeatMs: number
  nodeTtlMs: number
  adapter: 'sharded' | 'classic' | 'memory'
  logLevel: LogLevel
  pingIntervalMs: number
  pingTimeoutMs: number
  /** Per-socket rate and burst of each client event. */
  limits: EventLimits
  /** A room's scroll updates go out at most once per this many ms, the last winning; 0 sends each at once. */
  scrollIntervalMs: number
  stateWriteMs: number
  /** Bytes a socket may have waiting to be written before it is dropped as too slow. */
  slowClientBytes: number
  /** A room's Redis state and chat counter expire after this long without a write. */
  idleRoomTtlMs: number
}

/** Reads and checks the node's config; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const raw = readEnvConfig(GatewayEnv, env)
  if (raw.NODE_TTL_MS <= raw.HEARTBEAT_MS) throw new ConfigError('config: NODE_TTL_MS must be longer than HEARTBEAT_MS')
  const publicKey = readKey(env, 'JWT_PUBLIC_KEY', DEV_PUBLIC_KEY_FILE)
  if (!publicKey) {
    throw new ConfigError(
      `config: JWT_PUBLIC_KEY (unset) no public key: set JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE, or create the dev key pair`,
    )
  }
  return {
    port: raw.PORT,
    host: raw.HOST,
    nodeId: raw.NODE_ID ?? `node-${raw.PORT}`,
    upstream: raw.UPSTREAM ?? `127.0.0.1:${raw.PORT}`,
    redis: redisTarget(raw.REDIS_URL, raw.REDIS_CLUSTER_NODES),
    mongoUrl: raw.MONGO_URL,
    jwt: { publicKey, issuer: raw.JWT_ISSUER, audience: raw.JWT_AUDIENCE },
    allowedOrigins: raw.ALLOWED_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    graceMs: raw.GRACE_MS,
    heartbeatMs: raw.HEARTBEAT_MS,
    nodeTtlMs: raw.NODE_TTL_MS,
    adapter: raw.ADAPTER,
    logLevel: raw.LOG_LEVEL,
    pingIntervalMs: raw.PING_INTERVAL_MS,
    pingTimeoutMs: raw.PING_TIMEOUT_MS,
    limits: { ...EVENT_LIMITS, message: { perSecond: raw.CHAT_RATE, burst: raw.CHAT_BURST } },
    scrollIntervalMs: raw.SCROLL_INTERVAL_MS,
    stateWriteMs: raw.STATE_WRITE_MS,
    slowClientBytes: raw.SLOW_CLIENT_BYTES,
    idleRoomTtlMs: raw.IDLE_ROOM_TTL_MS,
  }
}
