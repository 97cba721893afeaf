import { type Static, Type } from 'typebox'
import { UserId } from './fields.js'

/** Tokens are signed by the API with Ed25519 and verified by the gateways with the public key only. */
export const TOKEN_ALGORITHM = 'EdDSA'
export const DEFAULT_TOKEN_ISSUER = 'hangout-api'
export const DEFAULT_TOKEN_AUDIENCE = 'hangout'

/** A token's own id: what a logout revokes. URL-safe, so it can stand in a Redis key. */
export const TokenId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })

/** The claims the API signs into every token, beside exp, iat, iss and aud. */
export const TokenClaims = Type.Object({
  sub: UserId,
  name: Type.String(),
  jti: TokenId,
})
export type TokenClaims = Static<typeof TokenClaims>

/** A verified token's claims as both services read them: the signed claims and their times (seconds). */
export const VerifiedClaims = Type.Object({
  sub: UserId,
  name: Type.String(),
  jti: TokenId,
  iat: Type.Integer({ minimum: 0 }),
  exp: Type.Integer({ minimum: 0 }),
})
export type VerifiedClaims = Static<typeof VerifiedClaims>

/** The claims every token must carry; a token without one of them is refused. */
export const REQUIRED_TOKEN_CLAIMS = ['sub', 'jti', 'iat', 'exp', 'iss', 'aud']
