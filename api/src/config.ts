import { createPrivateKey, createPublicKey } from 'node:crypto'
import {
  ConfigError,
  DEFAULT_MONGO_URL,
  DEFAULT_REDIS_URL,
  ensureDevKeyPair,
  LOG_LEVELS,
  type LogLevel,
  readEnvConfig,
  readKey,
  type RedisTarget,
  redisTarget,
} from '@hangout/runtime'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@hangout/protocol'
import Type, { type Static } from 'typebox'

/** The API's environment variables, their defaults and their checks. */
export const ApiEnv = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  MONGO_URL: Type.String({ pattern: '^mongodb(\\+srv)?://', default: DEFAULT_MONGO_URL }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: DEFAULT_REDIS_URL }),
  /** Seed nodes of a Redis Cluster, `host:port,...`: when set, Redis is that cluster and REDIS_URL is unused. */
  REDIS_CLUSTER_NODES: Type.Optional(Type.String()),
  JWT_ISSUER: Type.String({ minLength: 1, default: DEFAULT_TOKEN_ISSUER }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: DEFAULT_TOKEN_AUDIENCE }),
  /** Token lifetime: a number and a unit, s, m, h or d. */
  JWT_TTL: Type.String({ pattern: '^[1-9][0-9]*[smhd]$', default: '12h' }),
  LOG_LEVEL: Type.Enum(LOG_LEVELS, { default: 'info' }),
  /** Proxies whose X-Forwarded-For is believed: comma-separated addresses or CIDRs. */
  TRUST_PROXY: Type.String({ default: '127.0.0.1,::1' }),
  /** Browser origins allowed by CORS, comma-separated; empty: CORS closed. */
  CORS_ORIGINS: Type.String({ default: '' }),
  BODY_LIMIT: Type.Integer({ minimum: 256, maximum: 1048576, default: 16384 }),
  /** Login and register attempts per client IP, and rooms created per user, in RATE_LIMIT_WINDOW ms. */
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 30 }),
  RATE_LIMIT_WINDOW: Type.Integer({ minimum: 1000, default: 60000 }),
  /** Failed logins for one email from one client address before each further failure doubles a wait. */
  LOGIN_FAILURES_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 5 }),
  /** Failed logins from one client address, whatever the emails, before each further one doubles a wait. */
  LOGIN_FAILURES_PER_ADDRESS: Type.Integer({ minimum: 1, default: 20 }),
  /** The first wait after the free failures, in ms; it doubles with each failure, up to LOGIN_BACKOFF_MAX_MS. */
  LOGIN_BACKOFF_MS: Type.Integer({ minimum: 1, default: 1000 }),
  LOGIN_BACKOFF_MAX_MS: Type.Integer({ minimum: 1, default: 900000 }),
  /** Prefix of the rate limiter's Redis keys. */
  RATE_LIMIT_NAMESPACE: Type.String({ minLength: 1, default: 'hg:rl:' }),
  /**
   * The longest a request waits on MongoDB or Redis (ms) before it answers 503: well under the
   * edge's 30 s read timeout, so a stalled store is told as such instead of as a dead API.
   */
  DEPENDENCY_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 20000, default: 5000 }),
})
export type ApiEnv = Static<typeof ApiEnv>

/** The API's configuration, named as the gateway's is (camelCase, grouped by concern). */
export interface ApiConfig {
  port: number
  host: string
  mongoUrl: string
  /** REDIS_URL, or the cluster of REDIS_CLUSTER_NODES. */
  redis: RedisTarget
  jwt: {
    privateKey: string
    publicKey: string
    issuer: string
    audience: string
    /** JWT_TTL in seconds. */
    ttlSeconds: number
  }
  logLevel: LogLevel
  trustProxy: string[]
  corsOrigins: string[]
  /** Bytes; larger bodies get 413. */
  bodyLimit: number
  /** Login and register attempts per client IP, and rooms created per user, in `windowMs`. */
  rateLimit: { max: number; windowMs: number; namespace: string }
  /** Failed logins let through per (email, address) and per address before a doubling wait (baseMs up to maxMs). */
  loginLimits: { freePerAccount: number; freePerAddress: number; baseMs: number; maxMs: number }
  /** The longest a request waits on MongoDB or Redis before it answers 503. */
  dependencyTimeoutMs: number
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const

/** Reads and checks the API's whole configuration once; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const raw = readEnvConfig(ApiEnv, env)
  const keys = readKeys(env)
  const unit = raw.JWT_TTL.slice(-1) as keyof typeof UNIT_SECONDS
  return {
    port: raw.PORT,
    host: raw.HOST,
    mongoUrl: raw.MONGO_URL,
    redis: redisTarget(raw.REDIS_URL, raw.REDIS_CLUSTER_NODES),
    jwt: {
      privateKey: keys.jwtPrivateKey,
      publicKey: keys.jwtPublicKey,
      issuer: raw.JWT_ISSUER,
      audience: raw.JWT_AUDIENCE,
      ttlSeconds: Number(raw.JWT_TTL.slice(0, -1)) * UNIT_SECONDS[unit],
    },
    logLevel: raw.LOG_LEVEL,
    trustProxy: list(raw.TRUST_PROXY),
    corsOrigins: list(raw.CORS_ORIGINS),
    bodyLimit: raw.BODY_LIMIT,
    rateLimit: { max: raw.RATE_LIMIT_MAX, windowMs: raw.RATE_LIMIT_WINDOW, namespace: raw.RATE_LIMIT_NAMESPACE },
    loginLimits: {
      freePerAccount: raw.LOGIN_FAILURES_PER_ACCOUNT,
      freePerAddress: raw.LOGIN_FAILURES_PER_ADDRESS,
      baseMs: raw.LOGIN_BACKOFF_MS,
      maxMs: raw.LOGIN_BACKOFF_MAX_MS,
    },
    dependencyTimeoutMs: raw.DEPENDENCY_TIMEOUT_MS,
  }
}

function readKeys(env: NodeJS.ProcessEnv): { jwtPrivateKey: string; jwtPublicKey: string } {
  const configured = ['JWT_PRIVATE_KEY', 'JWT_PRIVATE_KEY_FILE', 'JWT_PUBLIC_KEY', 'JWT_PUBLIC_KEY_FILE'].some(
    (name) => env[name],
  )
  const dev = configured ? undefined : ensureDevKeyPair()
  const jwtPrivateKey = readKey(env, 'JWT_PRIVATE_KEY', dev?.privateKeyFile)
  const jwtPublicKey = readKey(env, 'JWT_PUBLIC_KEY', dev?.publicKeyFile)
  if (!jwtPrivateKey) throw new ConfigError('config: JWT_PRIVATE_KEY (unset) is required when JWT_PUBLIC_KEY is set')
  if (!jwtPublicKey) throw new ConfigError('config: JWT_PUBLIC_KEY (unset) is required when JWT_PRIVATE_KEY is set')
  ensureEd25519('JWT_PRIVATE_KEY', () => createPrivateKey(jwtPrivateKey).asymmetricKeyType)
  ensureEd25519('JWT_PUBLIC_KEY', () => createPublicKey(jwtPublicKey).asymmetricKeyType)
  return { jwtPrivateKey, jwtPublicKey }
}

function ensureEd25519(name: string, keyType: () => string | undefined): void {
  let type: string | undefined
  try {
    type = keyType()
  } catch {
    throw new ConfigError(`config: ${name} is not a readable PEM key`)
  }
  if (type !== 'ed25519') throw new ConfigError(`config: ${name} must be an Ed25519 key, not ${type}`)
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}
