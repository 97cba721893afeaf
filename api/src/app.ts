import { loggerOptions, REQUEST_ID_HEADER, requestId } from '@hangout/runtime'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type { ApiClients } from './clients.js'
import type { ApiConfig } from './config.js'
import { authPlugin } from './plugins/auth.js'
import { errorsPlugin } from './plugins/errors.js'
import { healthPlugin } from './plugins/health.js'
import { metricsPlugin } from './plugins/metrics.js'
import { openApiPlugin } from './plugins/openapi.js'
import { rateLimitPlugin } from './plugins/rate-limit.js'
import { securityPlugin } from './plugins/security.js'
import { authRoutes } from './routes/auth.js'
import { Revocations } from './revocations.js'
import { roomRoutes } from './routes/rooms.js'
import { createStores, ensureIndexes } from '@hangout/store'
import { typeboxValidatorCompiler } from './validation.js'

/** The API, ready to listen: every plugin and route registered, indexes ensured. It does not listen. */
export async function buildApp(
  config: ApiConfig,
  clients: ApiClients,
  logger: FastifyServerOptions['logger'] = loggerOptions(config.logLevel, 'api'),
) {
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    // One id per request in every log line of it, the edge's own when it sent one (its access log has it too).
    genReqId: requestId,
    requestIdLogLabel: 'reqId',
  })
    .setValidatorCompiler(typeboxValidatorCompiler)
    .withTypeProvider<TypeBoxTypeProvider>()

  const stores = createStores(clients.db)
  await ensureIndexes(stores)

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })
  await app.register(errorsPlugin)
  // Before every route, so that it documents each one as it is added.
  await app.register(openApiPlugin)
  await app.register(securityPlugin, config)
  await app.register(metricsPlugin)
  await app.register(healthPlugin, clients)
  await app.register(rateLimitPlugin, { config, redis: clients.redis })
  const revocations = new Revocations(clients.redis, config.jwt.ttlSeconds * 1000)
  await app.register(authPlugin, { config, revocations, users: stores.users })
  await app.register(authRoutes, { stores, revocations })
  await app.register(roomRoutes, { stores, redis: clients.redis })
  return app
}
export type ApiApp = Awaited<ReturnType<typeof buildApp>>
