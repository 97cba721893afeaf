import {
  HANDSHAKE_FORBIDDEN_ORIGIN,
  HANDSHAKE_UNAUTHORIZED,
  handshakeAuthValidator,
  type PublicUser,
  REQUIRED_TOKEN_CLAIMS,
  TOKEN_ALGORITHM,
  VerifiedClaims,
  validator,
} from '@hangout/protocol'
import { createVerifier } from 'fast-jwt'
import type { GatewayConfig } from '../config.js'

const claimsValidator = validator(VerifiedClaims)
/** Verified tokens kept (fast-jwt's LRU, each entry until the token's exp, 10 minutes at most). */
const VERIFIED_TOKENS_KEPT = 10_000

export type HandshakeVerdict = { ok: true; user: PublicUser; claims: VerifiedClaims } | { ok: false; reason: string }

/**
 * Checks a handshake without any I/O: its Origin (when a browser sends one) and the API's token
 * (signature, algorithm, iss and aud present and right, exp, iat, jti). Whether the token was
 * revoked is asked of Redis afterwards (socket-quota.ts), in the same round trip as the quota.
 */
export function createHandshakeCheck(config: Pick<GatewayConfig, 'jwt' | 'allowedOrigins'>) {
  const verify = createVerifier({
    key: config.jwt.publicKey,
    algorithms: [TOKEN_ALGORITHM],
    allowedIss: config.jwt.issuer,
    allowedAud: config.jwt.audience,
    requiredClaims: REQUIRED_TOKEN_CLAIMS,
    // A token verified once (a reconnect, a tab reloaded, a node drained or rebalanced) is not
    // verified again until it expires: a signature check is a join's costliest step. Refusals are
    // not kept; revocation is Redis's, asked at every handshake.
    cache: VERIFIED_TOKENS_KEPT,
  })
  const origins = new Set(config.allowedOrigins)

  return function check(origin: string | undefined, auth: unknown): HandshakeVerdict {
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
    return { ok: true, user: { id: claims.value.sub, name: claims.value.name }, claims: claims.value }
  }
}
