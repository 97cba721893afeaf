import type { GatewayContext } from '../context.js'
import type { GatewaySocket } from '../types.js'
import { on, requireJoined } from '../on.js'

/** The shared shopping page: clicks (highlights), scroll position, catalog page. */
export function registerActivityHandlers(ctx: GatewayContext, socket: GatewaySocket): void {
  const { user } = socket.data

  on(ctx, socket, 'click_event', ({ roomId, productId }) => {
    requireJoined(socket, roomId)
    ctx.activity.highlight(roomId, user.id, productId)
    ctx.memory.highlight(roomId, user.id, productId)
    socket.to(roomId).emit('user_clicked', { roomId, user, productId })
    ctx.metrics.eventsOut.inc('user_clicked')
    return {}
  })

  on(ctx, socket, 'scroll_update', async ({ roomId, top }) => {
    requireJoined(socket, roomId)
    await ctx.scrolls.push(roomId, { socketId: socket.id, user, top })
    return {}
  })

  on(ctx, socket, 'page_change', ({ roomId, page }) => {
    requireJoined(socket, roomId)
    ctx.activity.page(roomId, page)
    ctx.memory.page(roomId, page)
    socket.to(roomId).emit('page_changed', { roomId, user, page })
    ctx.metrics.eventsOut.inc('page_changed')
    return {}
  })
}
