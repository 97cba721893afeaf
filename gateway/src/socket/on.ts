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
type Ack = (value: unknown) => void
type Handler<E extends ClientEventName> = (payload: Payload<E>) => Success<E> | Promise<Success<E>>

/**
 * Registers one client event: rate limit, payload check, the handler, then exactly one ack.
 * A refused event throws an AckFailure before changing anything. A handler that answers at once
 * (no await) is acked in the same turn, with no promise made; one that awaits is counted in flight
 * (for a drain, and for a socket being cut off) until it has answered. Every event passes here, so
 * it creates no closure it can do without (and tsx's keepNames would name each one at run time).
 */
export function on<E extends ClientEventName>(ctx: GatewayContext, socket: GatewaySocket, event: E, handler: Handler<E>): void {
  const untyped = socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }
  const work = socketWork(socket)
  const ackSeconds = ctx.metrics.ackSeconds(event)
  untyped.on(event, (...args: unknown[]) => {
    if (work.cut) return
    ctx.metrics.eventsIn.inc(event)
    const ack = args[args.length - 1]
    if (typeof ack !== 'function') {
      ctx.metrics.rejected.inc({ event, code: 'BAD_REQUEST' })
      return
    }
    const timed: Timed = { ack: ack as Ack, started: performance.now(), ackSeconds }
    let answer: Success<E> | Promise<Success<E>>
    try {
      answer = handle(socket, event, args, handler)
    } catch (err) {
      refuse(ctx, socket, event, timed, err)
      return
    }
    if (!(answer instanceof Promise)) {
      succeed(timed, answer)
      return
    }
    ctx.inFlight.begin()
    work.inFlight.begin()
    answer
      .then(
        (success) => succeed(timed, success),
        (err: unknown) => refuse(ctx, socket, event, timed, err),
      )
      .finally(() => {
        work.inFlight.end()
        ctx.inFlight.end()
      })
  })
}

/** An event's ack, when the event came, and where the time to its ack is recorded. */
interface Timed {
  ack: Ack
  started: number
  ackSeconds: (seconds: number) => void
}

function answerWith(timed: Timed, value: unknown): void {
  timed.ack(value)
  timed.ackSeconds((performance.now() - timed.started) / 1000)
}

/** The checks every event passes, then its handler; throws an AckFailure for a refused event. */
function handle<E extends ClientEventName>(
  socket: GatewaySocket,
  event: E,
  args: unknown[],
  handler: Handler<E>,
): Success<E> | Promise<Success<E>> {
  if (!socket.data.limits.allow(event)) throw new AckFailure('RATE_LIMITED', `too many ${event} events, slow down`)
  if (args.length !== 2) throw new AckFailure('BAD_REQUEST', 'expected one payload and an acknowledgement callback')
  const checked = clientPayloadValidators[event].check(args[0])
  if (!checked.ok) throw new AckFailure('BAD_REQUEST', checked.message)
  return handler(checked.value as Payload<E>)
}

function succeed(timed: Timed, success: object): void {
  answerWith(timed, { ok: true, ...success })
}

function refuse(ctx: GatewayContext, socket: GatewaySocket, event: ClientEventName, timed: Timed, err: unknown): void {
  const failure = ackError(err)
  ctx.metrics.rejected.inc({ event, code: failure.error.code })
  if (failure.error.code === 'INTERNAL') socket.data.log.error({ err, event }, 'event failed')
  answerWith(timed, failure)
  if (failure.error.code === 'RATE_LIMITED' && !socket.data.limits.strike()) {
    cutOff(socket, () => ctx.metrics.disconnects.inc({ reason: 'flooding' }))
  }
}

/** Refuses an event for a room this socket has not joined. */
export function requireJoined(socket: GatewaySocket, roomId: string): void {
  if (!socket.data.joined.has(roomId)) throw new AckFailure('NOT_IN_ROOM', `join room ${roomId} first`)
}
