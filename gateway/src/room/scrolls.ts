import type { PublicUser } from '@hangout/protocol'
import type { Metrics } from '../metrics.js'
import type { GatewayServer } from '../socket/types.js'
import type { Activity } from './activity.js'
import { Coalescer } from './coalesce.js'
import type { RoomMemory } from './room-memory.js'

/** A scroll position as one socket sent it. */
export interface ScrollUpdate {
  socketId: string
  user: PublicUser
  top: number
}

/**
 * Scrolls come in bursts of many small steps; a room needs only the latest. Stored, remembered and
 * sent to the room but the socket it came from, coalesced per room (config SCROLL_INTERVAL_MS);
 * Redis gets it behind (Activity).
 */
export function scrollBroadcaster(
  intervalMs: number,
  io: GatewayServer,
  activity: Activity,
  memory: RoomMemory,
  metrics: Metrics,
) {
  return new Coalescer<ScrollUpdate>(intervalMs, async (roomId, { socketId, user, top }) => {
    activity.top(roomId, top)
    memory.top(roomId, top)
    io.to(roomId).except(socketId).emit('scroll_updated', { roomId, user, top })
    metrics.eventsOut.inc('scroll_updated')
  })
}
