import { type Static, Type } from 'typebox'
import { UserId } from './fields.js'

/** Tokens are signed by the API with Ed25519 and verified by the gateways with the public key only. */
export const TOKEN_ALGORITHM = 'EdDSA'
export const DEFAULT_TOKEN_ISSUER = 'hangout-api'
export const DEFAULT_TOKEN_AUDIENCE = 'hangout'

/** The claims the API signs into every token, beside exp, iat, iss and aud. */
export const TokenClaims = Type.Object({
  sub: UserId,
  name: Type.String(),
})
export type TokenClaims = Static<typeof TokenClaims>
