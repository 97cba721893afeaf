import { SOCKETS_PER_USER_LIMIT, type VerifiedClaims } from '@hangout/protocol'
import { LuaScript, RedisKeys } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'

/**
 * The handshake's one Redis round trip, in the user's slot: refuses a revoked token (its jti, or
 * a cutoff after which the user's older tokens no longer count), else takes one of the user's
 * socket slots when there is one left. Answers -1 revoked, 0 no slot left, else the user's sockets.
 * The revocation test is isTokenRevoked (protocol) in Lua. KEYS: revoked jti, user cutoff, user sockets. ARGV: iat (ms), nodeId, limit.
 */
const ADMIT = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local cutoff = redis.call('GET', KEYS[2])
if cutoff and tonumber(ARGV[1]) <= tonumber(cutoff) then return -1 end
local total = 0
for _, n in ipairs(redis.call('HVALS', KEYS[3])) do total = total + tonumber(n) end
if total >= tonumber(ARGV[3]) then return 0 end
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
return total + 1
`)

/** Gives one socket slot back; a count that reaches 0 (or below, after a reap) is removed. */
const RELEASE = new LuaScript(`
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return left
`)

export type Admission = { admitted: true; release: () => Promise<void> } | { admitted: false; reason: 'revoked' | 'full' }

/**
 * Every user's sockets, counted per node in Redis (`RedisKeys.userSockets`: field nodeId), so the
 * quota holds across the cluster, a disconnect gives back exactly its slot, and the node's whole
 * share can be removed when it dies (`reapNode`, from liveness) or written back when Redis lost it.
 * The node's user set (`RedisKeys.nodeUsers`, another slot) is sent in the same tick as each
 * script, in the order this node decided them, as presence does with its room set.
 */
export class SocketQuota {
  /** This node's sockets per user, as it counted them into Redis. */
  private readonly local = new Map<string, number>()
  /** Bumped when this node's share was reaped: slots taken before it are no longer in Redis. */
  private epoch = 0

  constructor(
    private readonly redis: RedisClient,
    private readonly nodeId: string,
    private readonly limit = SOCKETS_PER_USER_LIMIT,
  ) {}

  /** Takes a slot for the token's user unless the token is revoked or the user holds `limit` sockets. */
  async admit(claims: VerifiedClaims): Promise<Admission> {
    const userId = claims.sub
    const epoch = this.epoch
    this.add(userId, 1)
    let released = false
    const release = async () => {
      if (released || epoch !== this.epoch) return
      released = true
      const lastHere = this.add(userId, -1)
      await Promise.all([
        RELEASE.run(this.redis, [RedisKeys.userSockets(userId)], [this.nodeId]),
        lastHere ? this.redis.srem(RedisKeys.nodeUsers(this.nodeId), userId) : undefined,
      ])
    }
    const keys = [RedisKeys.revokedToken(userId, claims.jti), RedisKeys.userCutoff(userId), RedisKeys.userSockets(userId)]
    let answer: number
    try {
      const [, result] = await Promise.all([
        this.redis.sadd(RedisKeys.nodeUsers(this.nodeId), userId),
        ADMIT.run(this.redis, keys, [claims.iat * 1000, this.nodeId, this.limit]),
      ])
      answer = Number(result)
    } catch (err) {
      // Unknown whether the slot was taken: give it back (a count never stays above the truth).
      await release().catch(() => undefined)
      throw err
    }
    if (answer > 0 && epoch !== this.epoch) {
      // This node's share was reaped while the slot was being taken: it was not counted here, take it out.
      await RELEASE.run(this.redis, [RedisKeys.userSockets(userId)], [this.nodeId])
      throw new Error('socket counts were reaped during the handshake')
    }
    if (answer > 0) return { admitted: true, release }
    if (epoch === this.epoch && this.add(userId, -1))
      await this.redis.srem(RedisKeys.nodeUsers(this.nodeId), userId).catch(() => undefined)
    return { admitted: false, reason: answer === 0 ? 'full' : 'revoked' }
  }

  /** Removes a (dead, or this node's own previous run's or reaped) node's every count. */
  async reapNode(nodeId: string): Promise<void> {
    if (nodeId === this.nodeId) {
      this.epoch++
      this.local.clear()
    }
    const users = await this.redis.smembers(RedisKeys.nodeUsers(nodeId))
    await Promise.all(users.map((userId) => this.redis.hdel(RedisKeys.userSockets(userId), nodeId)))
    await this.redis.del(RedisKeys.nodeUsers(nodeId))
  }

  /** Writes this node's counts back as they are (idempotent): after Redis restarted empty. */
  async restore(): Promise<void> {
    if (this.local.size === 0) return
    const writes: Promise<unknown>[] = [this.redis.sadd(RedisKeys.nodeUsers(this.nodeId), ...this.local.keys())]
    for (const [userId, sockets] of this.local) writes.push(this.redis.hset(RedisKeys.userSockets(userId), this.nodeId, sockets))
    await Promise.all(writes)
  }

  /** Answers whether this was the user's last socket here. */
  private add(userId: string, delta: number): boolean {
    const sockets = (this.local.get(userId) ?? 0) + delta
    if (sockets > 0) {
      this.local.set(userId, sockets)
      return false
    }
    this.local.delete(userId)
    return true
  }
}
