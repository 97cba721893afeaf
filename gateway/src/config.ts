import { ConfigError, readEnvConfig } from '@hangout/infra/config'
import { DEV_PUBLIC_KEY_FILE, readKey } from '@hangout/infra/keys'
import { DEFAULT_MONGO_URL, DEFAULT_REDIS_URL } from '@hangout/infra/services'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@hangout/protocol'
import Type from 'typebox'
import { EVENT_LIMITS, type EventLimits } from './limits.js'

/** The environment a gateway node reads once at start; the property names are the variable names. */
export const GatewayEnv = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3101 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  NODE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' })),
  UPSTREAM: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_URL: Type.String({ minLength: 1, default: DEFAULT_REDIS_URL }),
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
  SLOW_CLIENT_BYTES: Type.Integer({ minimum: 65536, maximum: 1073741824, default: 1048576 }),
  // 'memory': Socket.io's own in-memory adapter, broadcasts reach this node's sockets only. For the
  // single-server baseline of the benchmarks; a cluster of such nodes does not share rooms.
  ADAPTER: Type.Union([Type.Literal('sharded'), Type.Literal('classic'), Type.Literal('memory')], { default: 'sharded' }),
})

export interface GatewayConfig {
  port: number
  host: string
  nodeId: string
  /** This node as written in nginx's upstream block: the ring's member string. */
  upstream: string
  redisUrl: string
  mongoUrl: string
  jwt: { publicKey: string; issuer: string; audience: string }
  allowedOrigins: string[]
  graceMs: number
  heartbeatMs: number
  nodeTtlMs: number
  adapter: 'sharded' | 'classic' | 'memory'
  /** Per-socket rate and burst of each client event. */
  limits: EventLimits
  /** A room's scroll updates go out at most once per this many ms, the last winning; 0 sends each at once. */
  scrollIntervalMs: number
  /** Bytes a socket may have waiting to be written before it is dropped as too slow. */
  slowClientBytes: number
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
    redisUrl: raw.REDIS_URL,
    mongoUrl: raw.MONGO_URL,
    jwt: { publicKey, issuer: raw.JWT_ISSUER, audience: raw.JWT_AUDIENCE },
    allowedOrigins: raw.ALLOWED_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    graceMs: raw.GRACE_MS,
    heartbeatMs: raw.HEARTBEAT_MS,
    nodeTtlMs: raw.NODE_TTL_MS,
    adapter: raw.ADAPTER,
    limits: { ...EVENT_LIMITS, message: { perSecond: raw.CHAT_RATE, burst: raw.CHAT_BURST } },
    scrollIntervalMs: raw.SCROLL_INTERVAL_MS,
    slowClientBytes: raw.SLOW_CLIENT_BYTES,
  }
}
