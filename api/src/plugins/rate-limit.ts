import rateLimit from '@fastify/rate-limit'
import type { LoginBody } from '@hangout/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import type { ApiConfig } from '../config.js'
import { ApiError } from '../errors.js'
import { emailKey } from '../store/users.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a login attempt (a validated LoginBody) against its email, across every client IP; RATE_LIMITED past the limit. */
    limitLoginEmail(request: FastifyRequest): Promise<void>
  }
}

export interface RateLimitOptions {
  config: ApiConfig
  redis: Redis
}

/**
 * Limits in Redis, so they hold across API replicas. Routes opt in with `config: { rateLimit: {} }`
 * and are then limited per client IP, as resolved through the trusted proxies only.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, { config, redis }: RateLimitOptions) => {
  await app.register(rateLimit, {
    global: false,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW,
    redis,
    nameSpace: config.RATE_LIMIT_NAMESPACE,
  })

  const perEmail = app.createRateLimit({
    keyGenerator: (request: FastifyRequest) => `login-email:${emailKey((request.body as LoginBody).email)}`,
  })
  app.decorate('limitLoginEmail', async (request: FastifyRequest) => {
    const limit = await perEmail(request)
    if (!limit.isAllowed && limit.isExceeded)
      throw new ApiError('RATE_LIMITED', 'too many login attempts for this account, try again later')
  })
})
