import fastifyJwt from '@fastify/jwt'
import { TOKEN_ALGORITHM, TokenClaims, validator } from '@hangout/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { ApiConfig } from '../config.js'
import { ApiError } from '../errors.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: TokenClaims
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook of authenticated routes: a valid Bearer token, or 401. */
    authenticate(request: FastifyRequest): Promise<void>
    issueToken(claims: TokenClaims): string
  }
}

const claimsValidator = validator(TokenClaims)

/** Ed25519 tokens, the algorithm pinned for signing and verifying; iss, aud and exp set and required. */
export const authPlugin = fp(async (app: FastifyInstance, config: ApiConfig) => {
  await app.register(fastifyJwt, {
    secret: { private: config.jwtPrivateKey, public: config.jwtPublicKey },
    sign: {
      algorithm: TOKEN_ALGORITHM,
      iss: config.JWT_ISSUER,
      aud: config.JWT_AUDIENCE,
      // @fastify/jwt takes a number as seconds, as jsonwebtoken did.
      expiresIn: config.jwtTtlSeconds,
    },
    verify: {
      algorithms: [TOKEN_ALGORITHM],
      allowedIss: config.JWT_ISSUER,
      allowedAud: config.JWT_AUDIENCE,
      requiredClaims: ['exp', 'iss', 'aud', 'sub'],
    },
  })

  app.decorate('issueToken', (claims: TokenClaims) => app.jwt.sign({ sub: claims.sub, name: claims.name }))

  app.decorate('authenticate', async (request: FastifyRequest) => {
    try {
      await request.jwtVerify()
    } catch {
      throw new ApiError('UNAUTHORIZED', 'missing, invalid or expired token')
    }
    if (!claimsValidator.check(request.user).ok) throw new ApiError('UNAUTHORIZED', 'missing, invalid or expired token')
  })
})
