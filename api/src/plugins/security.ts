import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ApiConfig } from '../config.js'

/** Security headers always; CORS only for the origins configured (closed by default). */
export const securityPlugin = fp(async (app: FastifyInstance, config: ApiConfig) => {
  await app.register(helmet)
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization'],
    })
  }
})
