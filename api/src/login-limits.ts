import type { RedisClient } from '@hangout/runtime'

/** Answers how many ms the key's failures still forbid trying (0: go ahead). */
const WAIT = `
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local left = untilMs - tonumber(ARGV[1])
if left > 0 then return left end
return 0
`

/**
 * Counts one more failure; past `free` failures every further one doubles the wait, from `base`
 * up to `max`. The counts are forgotten `ttl` ms after the last failure.
 * ARGV: now, free, base, max, ttl.
 */
const FAIL = `
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local free = tonumber(ARGV[2])
if count > free then
  local wait = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(count - free - 1, 40))
  redis.call('HSET', KEYS[1], 'until', tonumber(ARGV[1]) + wait)
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return count
`

export interface LoginLimitOptions {
  /** Prefix of the keys (the rate limiter's namespace). */
  namespace: string
  /** Failures for one account from one address before each further one waits. */
  freePerAccount: number
  /** Failures from one address, whatever the accounts, before each further one waits. */
  freePerAddress: number
  baseMs: number
  maxMs: number
}

/**
 * Failed logins, counted per (email, client address) and per client address, never per email
 * alone: an attacker guessing someone's password slows down only themselves, and the owner signing
 * in from their own address is never refused. Each key is its own script (one slot each).
 */
export class LoginLimits {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: LoginLimitOptions,
  ) {}

  private keys(email: string, address: string): { account: string; address: string } {
    const { namespace } = this.options
    return { account: `${namespace}login-fail:${address}|${email}`, address: `${namespace}login-fail-address:${address}` }
  }

  /** Ms to wait before this address may try this account again (0: it may now). */
  async waitMs(email: string, address: string): Promise<number> {
    const keys = this.keys(email, address)
    const now = String(Date.now())
    const waits = await Promise.all([keys.account, keys.address].map((key) => this.redis.eval(WAIT, 1, key, now)))
    return Math.max(...waits.map(Number))
  }

  async failed(email: string, address: string): Promise<void> {
    const keys = this.keys(email, address)
    const { freePerAccount, freePerAddress, baseMs, maxMs } = this.options
    const ttl = String(Math.max(maxMs, 3_600_000))
    const now = String(Date.now())
    await Promise.all([
      this.redis.eval(FAIL, 1, keys.account, now, freePerAccount, baseMs, maxMs, ttl),
      this.redis.eval(FAIL, 1, keys.address, now, freePerAddress, baseMs, maxMs, ttl),
    ])
  }

  /** A correct password: this address's failures on this account are forgiven. */
  async succeeded(email: string, address: string): Promise<void> {
    await this.redis.del(this.keys(email, address).account)
  }
}
