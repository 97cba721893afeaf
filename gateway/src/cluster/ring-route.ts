import { type RestError, RingParams, type RingResponse, validator } from '@hangout/protocol'
import type { FastifyInstance } from 'fastify'
import type { Rebalancer } from './rebalance.js'

const checkRingParams = validator(RingParams)

/** `GET /ring/:roomId` → `{roomId, node}`: the room's home now. */
export function registerRingRoute(app: FastifyInstance, rebalancer: Rebalancer): void {
  app.get('/ring/:roomId', async (request, reply) => {
    const params = checkRingParams.check(request.params)
    if (!params.ok) {
      const body: RestError = { error: { code: 'VALIDATION_FAILED', message: params.message } }
      return reply.code(400).send(body)
    }
    const node = rebalancer.homeOf(params.value.roomId)
    if (node === undefined) {
      const body: RestError = { error: { code: 'INTERNAL', message: 'the ring is not known yet' } }
      return reply.code(503).send(body)
    }
    const body: RingResponse = { roomId: params.value.roomId, node }
    return reply.send(body)
  })
}
