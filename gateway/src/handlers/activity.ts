import type { PublicUser } from '@hangout/protocol'
import type { Activity } from '../activity.js'
import { Coalescer } from '../coalesce.js'
import type { GatewayContext, GatewayServer, GatewaySocket } from '../context.js'
import type { Metrics } from '../metrics.js'
import type { RoomMemory } from '../room-memory.js'
import { on, requireJoined } from './on.js'

/** The shared shopping page: clicks (highlights), scroll position, catalog page. */
export function registerActivityHandlers(ctx: GatewayContext, socket: GatewaySocket): void {
  const { user } = socket.data

  on(ctx, socket, 'click_event', async ({ roomId, productId }) => {
    requireJoined(socket, roomId)
    await ctx.activity.highlight(roomId, user.id, productId)
    ctx.memory.highlight(roomId, user.id, productId)
    socket.to(roomId).emit('user_clicked', { roomId, user, productId })
    ctx.metrics.eventsOut.inc({ event: 'user_clicked' })
    return {}
  })

  on(ctx, socket, 'scroll_update', async ({ roomId, top }) => {
    requireJoined(socket, roomId)
    await ctx.scrolls.push(roomId, { socketId: socket.id, user, top })
    return {}
  })

  on(ctx, socket, 'page_change', async ({ roomId, page }) => {
    requireJoined(socket, roomId)
    await ctx.activity.page(roomId, page)
    ctx.memory.page(roomId, page)
    socket.to(roomId).emit('page_changed', { roomId, user, page })
    ctx.metrics.eventsOut.inc({ event: 'page_changed' })
    return {}
  })
}

/** A scroll position as one socket sent it. */
export interface ScrollUpdate {
  socketId: string
  user: PublicUser
  top: number
}

/**
 * Scrolls come in bursts of many small steps; a room needs only the latest. Stored, remembered and
 * sent to the room but the socket it came from, coalesced per room (config SCROLL_INTERVAL_MS).
 */
export function scrollBroadcaster(
  intervalMs: number,
  io: GatewayServer,
  activity: Activity,
  memory: RoomMemory,
  metrics: Metrics,
) {
  return new Coalescer<ScrollUpdate>(intervalMs, async (roomId, { socketId, user, top }) => {
    await activity.top(roomId, top)
    memory.top(roomId, top)
    io.to(roomId).except(socketId).emit('scroll_updated', { roomId, user, top })
    metrics.eventsOut.inc({ event: 'scroll_updated' })
  })
}
