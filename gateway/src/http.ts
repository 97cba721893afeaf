import type { HealthResponse } from '@hangout/protocol'
import Fastify from 'fastify'
import type { Redis } from 'ioredis'
import type { Metrics } from './metrics.js'

const PING_TIMEOUT_MS = 1000

/**
 * The node's small HTTP app: /healthz and /metrics. Socket.io shares its server. Not yet ready, so
 * more routes (the ring's) can still be added before `listen`.
 */
export function buildHttp(nodeId: string, redis: Redis, metrics: Metrics) {
  const app = Fastify({ logger: false })

  app.get('/healthz', async (_request, reply) => {
    const up = await redisUp(redis)
    const body: HealthResponse = up ? { status: 'ok', node: nodeId } : { status: 'unavailable', node: nodeId, down: ['redis'] }
    return reply.code(up ? 200 : 503).send(body)
  })

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })

  return app
}

async function redisUp(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)
  })
  try {
    return await Promise.race([redis.ping().then((pong) => pong === 'PONG'), timeout])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}
