import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type { ApiClients } from './clients.js'
import type { ApiConfig } from './config.js'
import { authPlugin } from './plugins/auth.js'
import { errorsPlugin } from './plugins/errors.js'
import { healthPlugin } from './plugins/health.js'
import { metricsPlugin } from './plugins/metrics.js'
import { rateLimitPlugin } from './plugins/rate-limit.js'
import { securityPlugin } from './plugins/security.js'
import { authRoutes } from './routes/auth.js'
import { roomRoutes } from './routes/rooms.js'
import { createStores, ensureIndexes } from './store/index.js'
import { typeboxValidatorCompiler } from './validation.js'

/** Log fields that must never be written: tokens and passwords. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'password',
  'token',
  '*.password',
  '*.token',
  '*.passwordHash',
]

/** The API, ready to listen: every plugin and route registered, indexes ensured. It does not listen. */
export async function buildApp(
  config: ApiConfig,
  clients: ApiClients,
  logger: FastifyServerOptions['logger'] = loggerOptions(config),
) {
  const app = Fastify({
    logger,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
  })
    .setValidatorCompiler(typeboxValidatorCompiler)
    .withTypeProvider<TypeBoxTypeProvider>()

  const stores = createStores(clients.db)
  await ensureIndexes(stores)

  await app.register(errorsPlugin)
  await app.register(securityPlugin, config)
  await app.register(metricsPlugin)
  await app.register(healthPlugin, clients)
  await app.register(rateLimitPlugin, { config, redis: clients.redis })
  await app.register(authPlugin, config)
  await app.register(authRoutes, { stores })
  await app.register(roomRoutes, { stores, redis: clients.redis })
  return app
}
export type ApiApp = Awaited<ReturnType<typeof buildApp>>

/** pino options: the configured level, secrets redacted. */
export function loggerOptions(config: ApiConfig) {
  return { level: config.LOG_LEVEL, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }
}
