import type { GatewayContext, GatewaySocket } from '../context.js'
import { on, requireJoined } from './on.js'

/** message: stored in MongoDB before the ack, then sent to everyone in the room. */
export function registerChatHandlers(ctx: GatewayContext, socket: GatewaySocket): void {
  on(ctx, socket, 'message', async ({ roomId, text }) => {
    requireJoined(socket, roomId)
    const message = await ctx.chat.post(roomId, socket.data.user, text)
    ctx.io.to(roomId).emit('message', message)
    ctx.metrics.eventsOut.inc({ event: 'message' })
    return { message }
  })
}
