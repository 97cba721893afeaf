import type { HealthResponse } from '@hangout/protocol'
import { redisClusterHealthWithin, withTimeout } from '@hangout/runtime'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ApiClients } from '../clients.js'

const PROBE_TIMEOUT_MS = 1500

/** GET /healthz: 200 when MongoDB and Redis answer, else 503 naming those that do not. */
export const healthPlugin = fp(async (app: FastifyInstance, clients: ApiClients) => {
  const probes = {
    mongodb: async () => {
      await clients.db.command({ ping: 1 }, { timeoutMS: PROBE_TIMEOUT_MS })
    },
    redis: async () => {
      if ((await clients.redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG')
    },
  }
  const { redis } = clients

  app.get('/healthz', async (request, reply) => {
    const cluster = redisClusterHealthWithin(redis, PROBE_TIMEOUT_MS)
    const results = await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        try {
          await withTimeout(probe(), PROBE_TIMEOUT_MS)
          return undefined
        } catch (err) {
          request.log.warn({ dependency: name, reason: (err as Error).message }, 'health probe failed')
          return name
        }
      }),
    )
    const redisCluster = await cluster
    const down = results.filter((name): name is string => name !== undefined)
    if (redisCluster && redisCluster.state !== 'ok' && !down.includes('redis')) down.push('redis')
    const body: HealthResponse = down.length ? { status: 'unavailable', down } : { status: 'ok' }
    return reply.code(down.length ? 503 : 200).send(redisCluster ? { ...body, redisCluster } : body)
  })
})
