import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateRoomBody,
  HISTORY_LIMIT,
  JoinRoomBody,
  MessagesQuery,
  MessagesResponse,
  RoomParams,
  RoomResponse,
  RoomsResponse,
  type RoomSummary,
  Routes,
} from '@hangout/protocol'
import { countOnline, RecentHistory, RedisKeys, RoomRecords, roomFromDoc, type Stores } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'
import { ApiError } from '../errors.js'
import { newRoomId } from '../ids.js'

/** How many rooms GET /rooms lists at most. */
export const ROOMS_LIST_LIMIT = 50

export const roomRoutes: FastifyPluginAsyncTypebox<{ stores: Stores; redis: RedisClient }> = async (app, { stores, redis }) => {
  // A page within a room's latest messages is read from their RedisClient cache; older pages from MongoDB.
  const history = new RecentHistory(redis, stores.messages)
  const records = new RoomRecords(redis)
  app.addHook('onRequest', app.authenticate)
  app.addHook('preHandler', app.checkSession)

  app.post(
    Routes.createRoom,
    { schema: { body: CreateRoomBody, response: { 201: RoomResponse } }, preHandler: app.limitRoomCreation },
    async (request, reply) => {
      const now = new Date()
      const doc = { _id: newRoomId(), name: request.body.name.trim(), ownerId: request.user.sub, createdAt: now }
      await stores.rooms.create(doc)
      await stores.memberships.record(request.user.sub, doc._id, now)
      const room = roomFromDoc(doc)
      // The room's first joins then read no MongoDB (its record and its empty history from Redis).
      // Without Redis the room is made all the same: the gateways read it from MongoDB.
      await Promise.all([records.put(room), history.startEmpty(room.id)]).catch((err: Error) =>
        request.log.warn({ roomId: room.id, reason: err.message }, 'redis: new room not cached'),
      )
      return reply.code(201).send({ room })
    },
  )

  // The room id is the invitation: whoever has it joins, and is a member from then on.
  app.post(Routes.joinRoom, { schema: { body: JoinRoomBody, response: { 200: RoomResponse } } }, async (request) => {
    const doc = await stores.rooms.findById(request.body.roomId)
    if (!doc) throw new ApiError('ROOM_NOT_FOUND', 'no room with this id')
    await stores.memberships.record(request.user.sub, doc._id)
    return { room: roomFromDoc(doc) }
  })

  app.get(Routes.listRooms, { schema: { response: { 200: RoomsResponse } } }, async (request) => {
    const ids = await stores.memberships.roomIdsOf(request.user.sub, ROOMS_LIST_LIMIT)
    const docs = await stores.rooms.byIds(ids)
    // Sent together, one command each: on a Redis Cluster a pipeline may not span shards.
    const answers = await Promise.all(docs.map((doc) => redis.hkeys(RedisKeys.presence(doc._id))))
    const rooms: RoomSummary[] = docs.map((doc, i) => ({ ...roomFromDoc(doc), online: countOnline(answers[i] ?? []) }))
    return { rooms }
  })

  app.get(
    Routes.roomMessages,
    { schema: { params: RoomParams, querystring: MessagesQuery, response: { 200: MessagesResponse } } },
    async (request) => {
      const { roomId } = request.params
      if (!(await stores.memberships.isMember(request.user.sub, roomId))) {
        // The id is the invitation, so telling a stranger whether the room exists gives nothing away.
        if (!(await stores.rooms.findById(roomId))) throw new ApiError('ROOM_NOT_FOUND', 'no room with this id')
        throw new ApiError('FORBIDDEN', 'join this room to read its history')
      }
      return { messages: await history.page(roomId, request.query.before, request.query.limit ?? HISTORY_LIMIT) }
    },
  )
}
