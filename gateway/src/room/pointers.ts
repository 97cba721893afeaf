import type { PublicUser } from '@hangout/protocol'
import type { Metrics } from '../metrics.js'
import type { GatewayServer } from '../socket/types.js'
import { Coalescer } from './coalesce.js'

/** The contract's bound on `pointer_moved`: at most 20 a second per user. */
export const POINTER_INTERVAL_MS = 50

/** A pointer position as one socket sent it. */
export interface PointerUpdate {
  roomId: string
  socketId: string
  user: PublicUser
  x: number
  y: number
}

/** Pointers, coalesced per user and room: the latest position wins, at most one per POINTER_INTERVAL_MS. */
export function pointerBroadcaster(io: GatewayServer, metrics: Metrics): Coalescer<PointerUpdate> {
  return new Coalescer<PointerUpdate>(POINTER_INTERVAL_MS, async (_key, { roomId, socketId, user, x, y }) => {
    io.to(roomId).except(socketId).emit('pointer_moved', { roomId, user, x, y })
    metrics.eventsOut.inc('pointer_moved')
  })
}
