import type { VerifiedClaims } from '@hangout/protocol'
import { isTokenRevoked, RedisKeys, type Revocation } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'

/**
 * Revoked tokens, in Redis, where every API replica and every gateway looks: one token by its jti
 * (logout), kept until the token would have expired anyway, or all of a user's tokens issued before
 * a time (the account was deleted), kept as long as a token lives. Each revocation is also published
 * so that gateways disconnect the sockets it concerns at once.
 */
export class Revocations {
  constructor(
    private readonly redis: RedisClient,
    /** The longest a token lives (JWT_TTL): how long a user's cutoff must stay. */
    private readonly tokenTtlMs: number,
  ) {}

  /** Whether this verified token was revoked. One round trip (both keys are in the user's slot). */
  async isRevoked(claims: VerifiedClaims): Promise<boolean> {
    const [revoked, cutoff] = await this.redis.mget(
      RedisKeys.revokedToken(claims.sub, claims.jti),
      RedisKeys.userCutoff(claims.sub),
    )
    return isTokenRevoked(claims.iat, revoked ?? null, cutoff ?? null)
  }

  async revokeToken(claims: VerifiedClaims): Promise<void> {
    const ttlMs = claims.exp * 1000 - Date.now()
    if (ttlMs > 0) await this.redis.set(RedisKeys.revokedToken(claims.sub, claims.jti), '1', 'PX', ttlMs)
    await this.publish({ userId: claims.sub, jti: claims.jti })
  }

  /** Every token of the user issued until now. */
  async revokeUser(userId: string): Promise<void> {
    const before = Date.now()
    await this.redis.set(RedisKeys.userCutoff(userId), String(before), 'PX', this.tokenTtlMs + 60_000)
    await this.publish({ userId, before })
  }

  private async publish(revocation: Revocation): Promise<void> {
    await this.redis.publish(RedisKeys.revocations, JSON.stringify(revocation))
  }
}
