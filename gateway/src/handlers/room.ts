import type { PublicUser, RoomState } from '@hangout/protocol'
import type { GatewayContext, GatewaySocket } from '../context.js'
import { AckFailure } from '../errors.js'
import { on, requireJoined } from './on.js'

/** join_room, leave_room, and the disconnect grace. */
export function registerRoomHandlers(ctx: GatewayContext, socket: GatewaySocket): void {
  const { user, joined } = socket.data

  on(ctx, socket, 'join_room', async ({ roomId }) => {
    const room = await ctx.rooms.find(roomId)
    if (!room) throw new AckFailure('ROOM_NOT_FOUND', `no room ${roomId}`)
    const fresh = !joined.has(roomId)
    let counted = false
    if (fresh) {
      // Added before the Redis write, so a disconnect during the join still leaves the room.
      joined.add(roomId)
      socket.join(roomId)
    }
    try {
      // Subscribed first, then history: no message falls between the two. History before presence:
      // when MongoDB is down the join fails before anyone has been told about it.
      if (fresh) await ctx.roomSubscribed(roomId)
      const history = await ctx.chat.history(roomId)
      if (fresh) {
        const change = await ctx.membership.join(roomId, user)
        counted = true
        if (change.changed) {
          socket.to(roomId).emit('user_joined', { roomId, user, count: change.count })
          ctx.metrics.eventsOut.inc({ event: 'user_joined' })
        }
      }
      const [participants, stored] = await Promise.all([ctx.presence.participants(roomId), ctx.activity.state(roomId)])
      if (joined.has(roomId)) ctx.memory.seed(roomId, stored)
      const state = onlyOnline(stored, participants)
      return { node: ctx.config.nodeId, room, participants, state, history }
    } catch (err) {
      // A refused join changes nothing: undo it.
      if (fresh && joined.delete(roomId)) {
        socket.leave(roomId)
        if (counted) await ctx.membership.leave(roomId, user).catch((undo: unknown) => console.error('join undo failed:', undo))
      }
      throw err
    }
  })

  on(ctx, socket, 'leave_room', async ({ roomId }) => {
    requireJoined(socket, roomId)
    joined.delete(roomId)
    socket.leave(roomId)
    await ctx.membership.leave(roomId, user)
    return {}
  })

  socket.on('disconnect', () => {
    for (const roomId of joined) ctx.membership.leaveLater(roomId, user)
    joined.clear()
  })
}

/** Highlights of online users only (one restored from a node's memory may outlive its user's leave). */
function onlyOnline(state: RoomState, participants: PublicUser[]): RoomState {
  const online = new Set(participants.map((p) => p.id))
  const highlights = Object.fromEntries(Object.entries(state.highlights).filter(([userId]) => online.has(userId)))
  return { ...state, highlights }
}
