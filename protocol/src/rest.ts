import { type Static, Type } from 'typebox'
import { Email, HISTORY_LIMIT, MESSAGES_PAGE_MAX, Password, RoomId, RoomName, UserName } from './fields.js'
import { ChatMessage, Room, RoomSummary, User } from './models.js'

/** Every REST route of the contract, as the API serves it (the edge adds the /api prefix). */
export const Routes = {
  register: '/auth/register',
  login: '/auth/login',
  logout: '/auth/logout',
  profile: '/auth/profile',
  createRoom: '/rooms/room',
  joinRoom: '/rooms/join',
  listRooms: '/rooms',
  roomMessages: '/rooms/:roomId/messages',
} as const

const strict = { additionalProperties: false } as const

export const RegisterBody = Type.Object({ name: UserName, email: Email, password: Password }, strict)
export type RegisterBody = Static<typeof RegisterBody>

export const LoginBody = Type.Object({ email: Email, password: Password }, strict)
export type LoginBody = Static<typeof LoginBody>

export const AuthResponse = Type.Object({ token: Type.String(), user: User })
export type AuthResponse = Static<typeof AuthResponse>

export const ProfileResponse = Type.Object({ user: User })
export type ProfileResponse = Static<typeof ProfileResponse>

export const CreateRoomBody = Type.Object({ name: RoomName }, strict)
export type CreateRoomBody = Static<typeof CreateRoomBody>

export const JoinRoomBody = Type.Object({ roomId: RoomId }, strict)
export type JoinRoomBody = Static<typeof JoinRoomBody>

export const RoomResponse = Type.Object({ room: Room })
export type RoomResponse = Static<typeof RoomResponse>

export const RoomsResponse = Type.Object({ rooms: Type.Array(RoomSummary) })
export type RoomsResponse = Static<typeof RoomsResponse>

export const RoomParams = Type.Object({ roomId: RoomId }, strict)
export type RoomParams = Static<typeof RoomParams>

export const MessagesQuery = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MESSAGES_PAGE_MAX, default: HISTORY_LIMIT })),
  },
  strict,
)
export type MessagesQuery = Static<typeof MessagesQuery>

export const MessagesResponse = Type.Object({ messages: Type.Array(ChatMessage) })
export type MessagesResponse = Static<typeof MessagesResponse>

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  node: Type.Optional(Type.String()),
  down: Type.Optional(Type.Array(Type.String())),
  /** Only when the service runs on a Redis Cluster: its cluster_state and its shards as this service sees them. */
  redisCluster: Type.Optional(
    Type.Object({
      state: Type.String(),
      shards: Type.Array(Type.Object({ master: Type.String(), replicas: Type.Array(Type.String()), slots: Type.Integer() })),
    }),
  ),
})
export type HealthResponse = Static<typeof HealthResponse>

/** A gateway's `GET /ring/:roomId`: the node that is the room's home on the ring of live nodes now. */
export const RingParams = Type.Object({ roomId: RoomId }, strict)
export type RingParams = Static<typeof RingParams>
export const RingResponse = Type.Object({ roomId: RoomId, node: Type.String() })
export type RingResponse = Static<typeof RingResponse>
