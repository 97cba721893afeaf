import { randomUUID } from 'node:crypto'
import fastifyJwt from '@fastify/jwt'
import { REQUIRED_TOKEN_CLAIMS, TOKEN_ALGORITHM, type TokenClaims, VerifiedClaims, validator } from '@hangout/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { ApiConfig } from '../config.js'
import { ApiError } from '../errors.js'
import type { Revocations } from '../revocations.js'
import type { UsersStore } from '@hangout/store'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: VerifiedClaims
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook of authenticated routes: a valid Bearer token (no I/O), or 401. */
    authenticate(request: FastifyRequest): Promise<void>
    /**
     * preHandler hook of the same routes, after the body is validated: the token is not revoked and
     * its user exists, or 401. It reads Redis and MongoDB, so a malformed body gets its 400 even
     * while a store is down, and only a well-formed request waits on them.
     */
    checkSession(request: FastifyRequest): Promise<void>
    /** A new token for the user, with an id of its own (what a logout revokes). */
    issueToken(user: { sub: string; name: string }): string
  }
}

export interface AuthOptions {
  config: ApiConfig
  revocations: Revocations
  users: UsersStore
}

const claimsValidator = validator(VerifiedClaims)
const REFUSED = 'missing, invalid, expired or revoked token'

/** Ed25519 tokens, the algorithm pinned for signing and verifying; iss, aud, exp, iat and jti set and required. */
export const authPlugin = fp(async (app: FastifyInstance, { config, revocations, users }: AuthOptions) => {
  await app.register(fastifyJwt, {
    secret: { private: config.jwt.privateKey, public: config.jwt.publicKey },
    sign: {
      algorithm: TOKEN_ALGORITHM,
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      // @fastify/jwt takes a number as seconds, as jsonwebtoken did.
      expiresIn: config.jwt.ttlSeconds,
    },
    verify: {
      algorithms: [TOKEN_ALGORITHM],
      allowedIss: config.jwt.issuer,
      allowedAud: config.jwt.audience,
      requiredClaims: REQUIRED_TOKEN_CLAIMS,
    },
  })

  app.decorate('issueToken', (user: { sub: string; name: string }) =>
    app.jwt.sign({ sub: user.sub, name: user.name, jti: randomUUID() }),
  )

  app.decorate('authenticate', async (request: FastifyRequest) => {
    try {
      await request.jwtVerify()
    } catch {
      throw new ApiError('UNAUTHORIZED', REFUSED)
    }
    if (!claimsValidator.check(request.user).ok) throw new ApiError('UNAUTHORIZED', REFUSED)
  })

  app.decorate('checkSession', async (request: FastifyRequest) => {
    const claims = claimsValidator.check(request.user)
    if (!claims.ok) throw new ApiError('UNAUTHORIZED', REFUSED)
    // Revocations in Redis, and the user in MongoDB (an account removed by hand has no cutoff): both at once.
    const [revoked, exists] = await Promise.all([revocations.isRevoked(claims.value), users.exists(claims.value.sub)])
    if (revoked) throw new ApiError('UNAUTHORIZED', REFUSED)
    if (!exists) throw new ApiError('UNAUTHORIZED', 'this account no longer exists')
  })
})
