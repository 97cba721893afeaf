import type { HealthResponse } from '@hangout/protocol'
import Fastify from 'fastify'
import { type RedisClient, redisClusterHealthWithin } from '@hangout/runtime'
import type { Metrics } from './metrics.js'
import { pingRedis } from './ops-metrics.js'

const PING_TIMEOUT_MS = 1000

/**
 * The node's small HTTP app: /healthz and /metrics. Socket.io shares its server. Not yet ready, so
 * more routes (the ring's) can still be added before `listen`.
 */
export function buildHttp(nodeId: string, redis: RedisClient, metrics: Metrics) {
  const app = Fastify({ logger: false })

  app.get('/healthz', async (_request, reply) => {
    const [up, cluster] = await Promise.all([redisUp(redis), redisClusterHealthWithin(redis, PING_TIMEOUT_MS)])
    const ok = up && (cluster === undefined || cluster.state === 'ok')
    const body: HealthResponse = ok ? { status: 'ok', node: nodeId } : { status: 'unavailable', node: nodeId, down: ['redis'] }
    return reply.code(ok ? 200 : 503).send(cluster ? { ...body, redisCluster: cluster } : body)
  })

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })

  return app
}

async function redisUp(redis: RedisClient): Promise<boolean> {
  return (await pingRedis(redis, PING_TIMEOUT_MS)) !== undefined
}
