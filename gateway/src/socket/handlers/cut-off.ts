import { InFlight } from '../inflight.js'
import type { GatewaySocket } from '../types.js'

/** How long a socket being cut off for flooding may take to finish the events it was granted. */
const FINISH_GRANTED_MS = 10_000

interface SocketWork {
  /** Events of this socket being handled. */
  inFlight: InFlight
  /** Being cut off: no further event is handled. */
  cut: boolean
}

const work = new WeakMap<GatewaySocket, SocketWork>()

/** One socket's events in flight, and whether it is being cut off. */
export function socketWork(socket: GatewaySocket): SocketWork {
  let state = work.get(socket)
  if (!state) {
    state = { inFlight: new InFlight(), cut: false }
    work.set(socket, state)
  }
  return state
}

/**
 * Cuts a flooding socket off after the acks of the events it was granted: nothing more is handled,
 * the events in flight finish and answer, then it is disconnected (Engine.IO sends what it has
 * buffered before it closes).
 */
export function cutOff(socket: GatewaySocket, onCut: () => void): void {
  const state = socketWork(socket)
  if (state.cut) return
  state.cut = true
  void state.inFlight.idle(FINISH_GRANTED_MS).then(() =>
    // A macrotask later: the acks are sent in promise callbacks that follow the work's end.
    setImmediate(() => {
      onCut()
      socket.disconnect(true)
    }),
  )
}
