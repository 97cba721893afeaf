import {
  HANDSHAKE_FORBIDDEN_ORIGIN,
  HANDSHAKE_UNAUTHORIZED,
  HANDSHAKE_UNAVAILABLE,
  handshakeAuthValidator,
  type PublicUser,
  TOKEN_ALGORITHM,
  TokenClaims,
  validator,
} from '@hangout/protocol'
import { createVerifier } from 'fast-jwt'
import type { GatewayConfig } from './config.js'
import type { Users } from './users.js'

const claimsValidator = validator(TokenClaims)

/** Checks a handshake: its Origin (when a browser sends one) and the API's token. */
export function createHandshakeCheck(config: Pick<GatewayConfig, 'jwt' | 'allowedOrigins'>) {
  const verify = createVerifier({
    key: config.jwt.publicKey,
    algorithms: [TOKEN_ALGORITHM],
    allowedIss: config.jwt.issuer,
    allowedAud: config.jwt.audience,
    requiredClaims: ['exp', 'sub'],
  })
  const origins = new Set(config.allowedOrigins)

  return function check(
    origin: string | undefined,
    auth: unknown,
  ): { ok: true; user: PublicUser } | { ok: false; reason: string } {
    if (origin !== undefined && !origins.has(origin)) return { ok: false, reason: HANDSHAKE_FORBIDDEN_ORIGIN }
    const shape = handshakeAuthValidator.check(auth)
    if (!shape.ok) return { ok: false, reason: HANDSHAKE_UNAUTHORIZED }
    let payload: unknown
    try {
      payload = verify(shape.value.token)
    } catch {
      return { ok: false, reason: HANDSHAKE_UNAUTHORIZED }
    }
    const claims = claimsValidator.check(payload)
    if (!claims.ok) return { ok: false, reason: HANDSHAKE_UNAUTHORIZED }
    return { ok: true, user: { id: claims.value.sub, name: claims.value.name } }
  }
}

/** How often at most the node logs that MongoDB did not answer a handshake's user check. */
const UNAVAILABLE_LOG_MS = 10_000

/**
 * A valid token whose user was deleted is refused (UNAUTHORIZED). When MongoDB does not answer,
 * the check fails closed: a user not found in the cache is refused with UNAVAILABLE, which the
 * client retries (it is not told its session ended); each such refusal is counted, and logged.
 */
export function createUserCheck(users: Users, onUnavailable: (err: unknown) => void) {
  let loggedAt = 0
  return async function refusal(userId: string): Promise<string | undefined> {
    try {
      return (await users.exists(userId)) ? undefined : HANDSHAKE_UNAUTHORIZED
    } catch (err) {
      if (Date.now() - loggedAt >= UNAVAILABLE_LOG_MS) {
        loggedAt = Date.now()
        onUnavailable(err)
      }
      return HANDSHAKE_UNAVAILABLE
    }
  }
}
