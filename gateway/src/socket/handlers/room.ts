import type { PublicUser, RoomState } from '@hangout/protocol'
import { decodeRoomState } from '@hangout/store'
import type { GatewayContext } from '../context.js'
import { AckFailure } from '../errors.js'
import { ROOMS_PER_SOCKET } from '../limits.js'
import { on, requireJoined } from '../on.js'
import { Serial } from '../serial.js'
import type { GatewaySocket } from '../types.js'

/**
 * join_room, leave_room, and the disconnect grace. One socket's joins and leaves run one after
 * the other, in the order sent: a leave sent before the join's ack applies after the join.
 */
export function registerRoomHandlers(ctx: GatewayContext, socket: GatewaySocket): void {
  const { user, joined } = socket.data
  const serial = new Serial()
  /** After each await: a socket that went meanwhile must not be counted (its disconnect already ran). */
  const stillHere = () => {
    if (!socket.connected) throw new AckFailure('NOT_IN_ROOM', 'the socket disconnected during the join')
  }
  /** Rooms this socket is held in by a claim while its join looks the room up (not yet in `joined`). */
  const claims = new Set<string>()
  const findRoom = async (roomId: string, fresh: boolean) => {
    const room = await ctx.rooms.find(roomId)
    if (!room) throw new AckFailure('ROOM_NOT_FOUND', `no room ${roomId}`)
    stillHere()
    if (fresh && joined.size >= ROOMS_PER_SOCKET)
      throw new AckFailure('RATE_LIMITED', `a socket may be in ${ROOMS_PER_SOCKET} rooms at once; leave one first`)
    return room
  }

  on(ctx, socket, 'join_room', ({ roomId }) =>
    serial.run(async () => {
      const fresh = !joined.has(roomId)
      // Most rooms are recorded in Redis (the API records those it creates): one quick read.
      if (fresh && !ctx.rooms.cached(roomId)) {
        await ctx.rooms.recorded(roomId)
        stillHere()
      }
      // A room neither cached nor recorded waits on MongoDB: a user still in it (a reconnect or a
      // rebalance within the grace) is held in it from here, silently, so that wait cannot turn the
      // move into a leave and a join. (A cached room costs no round trip more.)
      const claim = fresh && joined.size < ROOMS_PER_SOCKET && !ctx.rooms.cached(roomId)
      if (claim && (await ctx.membership.claim(roomId, user, socket.id))) {
        if (!socket.connected) {
          ctx.membership.leaveLater(roomId, user, socket.id)
          throw new AckFailure('NOT_IN_ROOM', 'the socket disconnected during the join')
        }
        claims.add(roomId)
      }
      const room = await findRoom(roomId, fresh).catch(async (err: unknown) => {
        // Refused or gone before the join counted: the claim is taken back (a disconnect already did).
        if (claims.delete(roomId)) await ctx.membership.leave(roomId, user, socket.id)
        throw err
      })
      // From here `joined` holds the room (or held it already): the claim is the join's now.
      claims.delete(roomId)
      if (fresh) {
        // Added before the first write, so a disconnect from here on leaves the room with the socket.
        joined.add(roomId)
        ctx.memory.track(roomId)
        socket.join(roomId)
      }
      // In the room's broadcasts from here; its ack's participants tell it who is in, not user_joined.
      const joinDecided = ctx.membership.joining(roomId, socket.id)
      try {
        // Subscribed first, then history: no message falls between the two. The presence script
        // reads the recent history too, and makes the user appear only if that cache is warm (or
        // they are in the room already): when it is cold (a room idle for a day, a failed write
        // dropped it, Redis lost it) it is warmed from MongoDB first and the user written after,
        // so that when MongoDB is down the join fails before anyone has been told about it.
        if (fresh) await ctx.roomSubscribed(roomId)
        let written = await ctx.membership.join(roomId, user, socket.id, true)
        stillHere()
        let history = written.history
        if (!history) {
          history = await ctx.chat.history(roomId)
          stillHere()
          if (written.skipped.includes(user.id)) {
            written = await ctx.membership.join(roomId, user, socket.id)
            stillHere()
          }
        }
        const { participants = [], state: hash = {} } = written
        // Redis may be behind this node's memory (written behind it): the memory wins where it knows.
        ctx.memory.seed(roomId, decodeRoomState(hash))
        ctx.memberRecords.record(user.id, roomId)
        return { node: ctx.config.nodeId, room, participants, state: onlyOnline(ctx.memory.state(roomId), participants), history }
      } catch (err) {
        // A refused join changes nothing: undo it (a disconnect already did, through its grace).
        if (fresh && joined.delete(roomId)) {
          socket.leave(roomId)
          await ctx.membership.leave(roomId, user, socket.id)
        }
        throw err
      } finally {
        // Before the room's next script can answer (a later turn of the event loop): later joins reach it.
        joinDecided()
      }
    }),
  )

  on(ctx, socket, 'leave_room', ({ roomId }) =>
    serial.run(async () => {
      requireJoined(socket, roomId)
      joined.delete(roomId)
      socket.leave(roomId)
      await ctx.membership.leave(roomId, user, socket.id)
      return {}
    }),
  )

  socket.on('disconnect', () => {
    for (const roomId of [...joined, ...claims]) ctx.membership.leaveLater(roomId, user, socket.id)
    joined.clear()
    claims.clear()
  })
}

/** Highlights of online users only (one restored from a node's memory may outlive its user's leave). */
function onlyOnline(state: RoomState, participants: PublicUser[]): RoomState {
  const online = new Set(participants.map((p) => p.id))
  const highlights = Object.fromEntries(Object.entries(state.highlights).filter(([userId]) => online.has(userId)))
  return { ...state, highlights }
}
