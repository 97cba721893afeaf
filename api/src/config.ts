import { createPrivateKey, createPublicKey } from 'node:crypto'
import { ConfigError, readEnvConfig } from '@hangout/infra/config'
import { ensureDevKeyPair, readKey } from '@hangout/infra/keys'
import { DEFAULT_MONGO_URL, DEFAULT_REDIS_URL } from '@hangout/infra/services'
import { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER } from '@hangout/protocol'
import Type, { type Static } from 'typebox'

/** The API's environment variables, their defaults and their checks. */
export const ApiEnv = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  MONGO_URL: Type.String({ pattern: '^mongodb(\\+srv)?://', default: DEFAULT_MONGO_URL }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: DEFAULT_REDIS_URL }),
  JWT_ISSUER: Type.String({ minLength: 1, default: DEFAULT_TOKEN_ISSUER }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: DEFAULT_TOKEN_AUDIENCE }),
  /** Token lifetime: a number and a unit, s, m, h or d. */
  JWT_TTL: Type.String({ pattern: '^[1-9][0-9]*[smhd]$', default: '12h' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  /** Proxies whose X-Forwarded-For is believed: comma-separated addresses or CIDRs. */
  TRUST_PROXY: Type.String({ default: '127.0.0.1,::1' }),
  /** Browser origins allowed by CORS, comma-separated; empty: CORS closed. */
  CORS_ORIGINS: Type.String({ default: '' }),
  BODY_LIMIT: Type.Integer({ minimum: 256, maximum: 1048576, default: 16384 }),
  /** Login and register attempts per client IP (and logins per email) in RATE_LIMIT_WINDOW ms. */
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 30 }),
  RATE_LIMIT_WINDOW: Type.Integer({ minimum: 1000, default: 60000 }),
  /** Prefix of the rate limiter's Redis keys. */
  RATE_LIMIT_NAMESPACE: Type.String({ minLength: 1, default: 'hg:rl:' }),
})
export type ApiEnv = Static<typeof ApiEnv>

export interface ApiConfig extends ApiEnv {
  jwtPrivateKey: string
  jwtPublicKey: string
  /** JWT_TTL in seconds. */
  jwtTtlSeconds: number
  trustProxy: string[]
  corsOrigins: string[]
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const

/** Reads and checks the API's whole configuration once; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const base = readEnvConfig(ApiEnv, env)
  const keys = readKeys(env)
  const unit = base.JWT_TTL.slice(-1) as keyof typeof UNIT_SECONDS
  return {
    ...base,
    ...keys,
    jwtTtlSeconds: Number(base.JWT_TTL.slice(0, -1)) * UNIT_SECONDS[unit],
    trustProxy: list(base.TRUST_PROXY),
    corsOrigins: list(base.CORS_ORIGINS),
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
