import { type AckError, type ClientEventName, type ClientToServerEvents, clientPayloadValidators } from '@hangout/protocol'
import type { Static } from 'typebox'
import type { GatewayContext } from './context.js'
import type { GatewaySocket } from './types.js'
import { AckFailure, ackError } from './errors.js'
import { cutOff, socketWork } from './handlers/cut-off.js'

type Payload<E extends ClientEventName> = Static<(typeof clientPayloadValidators)[E]['schema']>
type AckOf<E extends ClientEventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]
/** What a handler answers on success: the ack without `ok`. */
export type Success<E extends ClientEventName> = Omit<Exclude<AckOf<E>, AckError>, 'ok'>

/**
 * Registers one client event: rate limit, payload check, the handler, then exactly one ack.
 * A refused event throws an AckFailure before changing anything.
 */
export function on<E extends ClientEventName>(
  ctx: GatewayContext,
  socket: GatewaySocket,
  event: E,
  handler: (payload: Payload<E>) => Promise<Success<E>>,
): void {
  const { metrics } = ctx
  const untyped = socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }
  const work = socketWork(socket)
  untyped.on(event, (...args: unknown[]) => {
    if (work.cut) return
    metrics.eventsIn.inc({ event })
    const ack = args[args.length - 1]
    if (typeof ack !== 'function') {
      metrics.rejected.inc({ event, code: 'BAD_REQUEST' })
      return
    }
    const stopTimer = metrics.ackSeconds.startTimer({ event })
    const answer = (value: unknown) => {
      stopTimer()
      ack(value)
    }
    const run = async () => {
      if (!socket.data.limits.allow(event)) throw new AckFailure('RATE_LIMITED', `too many ${event} events, slow down`)
      if (args.length !== 2) throw new AckFailure('BAD_REQUEST', 'expected one payload and an acknowledgement callback')
      const checked = clientPayloadValidators[event].check(args[0])
      if (!checked.ok) throw new AckFailure('BAD_REQUEST', checked.message)
      return handler(checked.value as Payload<E>)
    }
    ctx.inFlight.track(work.inFlight.track(run())).then(
      (success) => answer({ ok: true, ...success }),
      (err: unknown) => {
        const failure = ackError(err)
        metrics.rejected.inc({ event, code: failure.error.code })
        if (failure.error.code === 'INTERNAL') socket.data.log.error({ err, event }, 'event failed')
        answer(failure)
        if (failure.error.code === 'RATE_LIMITED' && !socket.data.limits.strike()) {
          cutOff(socket, () => metrics.disconnects.inc({ reason: 'flooding' }))
        }
      },
    )
  })
}

/** Refuses an event for a room this socket has not joined. */
export function requireJoined(socket: GatewaySocket, roomId: string): void {
  if (!socket.data.joined.has(roomId)) throw new AckFailure('NOT_IN_ROOM', `join room ${roomId} first`)
}
