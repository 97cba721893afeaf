import rateLimit from '@fastify/rate-limit'
import type { LoginBody } from '@hangout/protocol'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { RedisClient } from '@hangout/runtime'
import type { ApiConfig } from '../config.js'
import { ApiError } from '../errors.js'
import { emailKey } from '@hangout/store'
import { LoginLimits } from '../login-limits.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Failed logins per (email, client address) and per client address, with backoff. */
    loginLimits: LoginLimits
    /** Counts a room creation against the signed-in user; RATE_LIMITED past the limit. */
    limitRoomCreation(request: FastifyRequest, reply: FastifyReply): Promise<void>
    /** RATE_LIMITED when this client address must still wait before trying this email again. */
    limitLoginFailures(request: FastifyRequest, reply: FastifyReply): Promise<void>
  }
}

export interface RateLimitOptions {
  config: ApiConfig
  redis: RedisClient
}

/**
 * Limits in Redis, so they hold across API replicas. Routes opt in with `config: { rateLimit: {} }`
 * and are then limited per client IP, as resolved through the trusted proxies only.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, { config, redis }: RateLimitOptions) => {
  await app.register(rateLimit, {
    global: false,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    redis,
    nameSpace: config.rateLimit.namespace,
  })

  const perCreator = app.createRateLimit({
    keyGenerator: (request: FastifyRequest) => `room-create:${request.user.sub}`,
  })
  app.decorate('limitRoomCreation', async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await perCreator(request)
    if (limit.isAllowed || !limit.isExceeded) return
    reply.header('retry-after', Math.ceil(limit.ttl / 1000))
    throw new ApiError('RATE_LIMITED', 'too many rooms created, try again later')
  })

  const loginLimits = new LoginLimits(redis, {
    namespace: config.rateLimit.namespace,
    ...config.loginLimits,
  })
  app.decorate('loginLimits', loginLimits)
  // A preHandler: the body is a validated LoginBody by then.
  app.decorate('limitLoginFailures', async (request: FastifyRequest, reply: FastifyReply) => {
    const waitMs = await loginLimits.waitMs(emailKey((request.body as LoginBody).email), request.ip)
    if (waitMs <= 0) return
    reply.header('retry-after', Math.ceil(waitMs / 1000))
    throw new ApiError('RATE_LIMITED', 'too many failed logins from this address, try again later')
  })
})
