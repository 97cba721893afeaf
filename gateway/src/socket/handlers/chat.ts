import type { GatewayContext } from '../context.js'
import type { GatewaySocket } from '../types.js'
import { on, requireJoined } from '../on.js'

/** message (stored before the ack, then sent to everyone in the room), edit_message, delete_message. */
export function registerChatHandlers(ctx: GatewayContext, socket: GatewaySocket): void {
  const { user } = socket.data

  on(ctx, socket, 'message', async ({ roomId, text, clientId }) => {
    requireJoined(socket, roomId)
    const { message, fresh } = await ctx.chat.post(roomId, user, text, clientId)
    // A resend answers the first ack and reaches nobody again.
    if (fresh) {
      ctx.io.to(roomId).emit('message', message)
      ctx.metrics.eventsOut.inc('message')
    }
    return { message }
  })

  on(ctx, socket, 'edit_message', async ({ roomId, id, text }) => {
    requireJoined(socket, roomId)
    const message = await ctx.chat.edit(roomId, user.id, id, text)
    ctx.io.to(roomId).emit('message_edited', message)
    ctx.metrics.eventsOut.inc('message_edited')
    return { message }
  })

  on(ctx, socket, 'delete_message', async ({ roomId, id }) => {
    requireJoined(socket, roomId)
    const { message, changed } = await ctx.chat.remove(roomId, user.id, id)
    if (changed) {
      ctx.io.to(roomId).emit('message_deleted', { roomId, id, seq: message.seq })
      ctx.metrics.eventsOut.inc('message_deleted')
    }
    return {}
  })
}
