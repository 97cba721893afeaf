import type { Server as HttpServer } from 'node:http'
import { ROOM_ID_PATTERN } from '@hangout/protocol'
import type { GatewayServer, GatewaySocket } from '../socket/types.js'
import type { InFlight } from '../socket/inflight.js'
import type { Membership } from '../presence/membership.js'

const ROOM_ID = new RegExp(ROOM_ID_PATTERN)
/** How long events already received may take to be answered before the sockets go. */
const IN_FLIGHT_WAIT_MS = 2000
/** Longest `delayMs` a drained socket is told to wait, spreading the reconnects a little. */
const MAX_RECONNECT_DELAY_MS = 250

/**
 * Hands the node's sockets over before it exits: stop accepting, tell each socket to reconnect
 * (the edge sends it to another node) with `rebalance`, disconnect it, and keep its presence through
 * the grace so that nobody flaps in the lists; resolves when every grace has ended.
 */
export async function drain(io: GatewayServer, http: HttpServer, membership: Membership, inFlight: InFlight): Promise<void> {
  http.close()
  const sockets = [...io.of('/').sockets.values()]
  for (const socket of sockets) tellToReconnect(socket)
  // Acked means stored: let the events already received finish and send their acks first.
  await inFlight.idle(IN_FLIGHT_WAIT_MS)
  for (const socket of sockets) socket.disconnect(true)
  await membership.settled()
}

/** Sends `rebalance` for each room the socket joined (or was routed for): its client reconnects and joins again. */
export function tellToReconnect(socket: GatewaySocket, joined: Iterable<string> = socket.data.joined): void {
  const delayMs = Math.floor(Math.random() * MAX_RECONNECT_DELAY_MS)
  const rooms = new Set(joined)
  // A socket that has not joined yet is told about the room it was routed for, so that it comes back too.
  const routed = socket.handshake.query.room
  if (rooms.size === 0 && typeof routed === 'string' && ROOM_ID.test(routed)) rooms.add(routed)
  for (const roomId of rooms) {
    // The ring may have told it already (a reaped node's census changes too): once is enough.
    if (socket.data.toldToMove.has(roomId)) continue
    socket.data.toldToMove.add(roomId)
    socket.emit('rebalance', { roomId, delayMs })
  }
}
