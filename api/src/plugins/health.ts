import type { HealthResponse } from '@hangout/protocol'
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

  app.get('/healthz', async (request, reply) => {
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
    const down = results.filter((name): name is string => name !== undefined)
    const body: HealthResponse = down.length ? { status: 'unavailable', down } : { status: 'ok' }
    return reply.code(down.length ? 503 : 200).send(body)
  })
})

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
