import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateRoomBody,
  countOnline,
  HISTORY_LIMIT,
  JoinRoomBody,
  MessagesQuery,
  MessagesResponse,
  messageFromDoc,
  RedisKeys,
  RoomParams,
  RoomResponse,
  RoomsResponse,
  type RoomSummary,
  Routes,
  roomFromDoc,
} from '@hangout/protocol'
import type { Redis } from 'ioredis'
import { ApiError } from '../errors.js'
import { newRoomId } from '../ids.js'
import type { Stores } from '../store/index.js'

/** How many rooms GET /rooms lists at most. */
export const ROOMS_LIST_LIMIT = 50

export const roomRoutes: FastifyPluginAsyncTypebox<{ stores: Stores; redis: Redis }> = async (app, { stores, redis }) => {
  app.addHook('onRequest', app.authenticate)

  app.post(Routes.createRoom, { schema: { body: CreateRoomBody, response: { 201: RoomResponse } } }, async (request, reply) => {
    const doc = { _id: newRoomId(), name: request.body.name.trim(), ownerId: request.user.sub, createdAt: new Date() }
    await stores.rooms.create(doc)
    return reply.code(201).send({ room: roomFromDoc(doc) })
  })

  app.post(Routes.joinRoom, { schema: { body: JoinRoomBody, response: { 200: RoomResponse } } }, async (request) => {
    const doc = await stores.rooms.findById(request.body.roomId)
    if (!doc) throw new ApiError('ROOM_NOT_FOUND', 'no room with this id')
    return { room: roomFromDoc(doc) }
  })

  app.get(Routes.listRooms, { schema: { response: { 200: RoomsResponse } } }, async () => {
    const docs = await stores.rooms.newest(ROOMS_LIST_LIMIT)
    const pipeline = redis.pipeline()
    for (const doc of docs) pipeline.hkeys(RedisKeys.presence(doc._id))
    const answers = docs.length ? ((await pipeline.exec()) ?? []) : []
    const rooms: RoomSummary[] = docs.map((doc, i) => {
      const [err, fields] = answers[i] ?? [new Error('no answer'), null]
      if (err) throw err
      return { ...roomFromDoc(doc), online: countOnline(fields as string[]) }
    })
    return { rooms }
  })

  app.get(
    Routes.roomMessages,
    { schema: { params: RoomParams, querystring: MessagesQuery, response: { 200: MessagesResponse } } },
    async (request) => {
      const { roomId } = request.params
      if (!(await stores.rooms.findById(roomId))) throw new ApiError('ROOM_NOT_FOUND', 'no room with this id')
      const docs = await stores.messages.page(roomId, request.query.before, request.query.limit ?? HISTORY_LIMIT)
      return { messages: docs.map(messageFromDoc) }
    },
  )
}
