import type { GatewayContext } from '../context.js'
import { on, requireJoined } from '../on.js'
import type { GatewaySocket } from '../types.js'

/**
 * Signals that are shown for a moment and never stored: who is typing, where each pointer is.
 * A user who leaves takes them along (clients drop the pointer of a user no longer in the room).
 */
export function registerSignalHandlers(ctx: GatewayContext, socket: GatewaySocket): void {
  const { user } = socket.data

  on(ctx, socket, 'typing', ({ roomId }) => {
    requireJoined(socket, roomId)
    socket.to(roomId).emit('user_typing', { roomId, user })
    ctx.metrics.eventsOut.inc('user_typing')
    return {}
  })

  on(ctx, socket, 'pointer_move', async ({ roomId, x, y }) => {
    requireJoined(socket, roomId)
    await ctx.pointers.push(pointerKey(roomId, user.id), { roomId, socketId: socket.id, user, x, y })
    return {}
  })
}

/** One window per (room, user): a user's pointer never delays another's. */
function pointerKey(roomId: string, userId: string): string {
  return `${roomId}\u0000${userId}`
}
