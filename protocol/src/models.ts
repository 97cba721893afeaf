import { type Static, Type } from 'typebox'
import { IsoDate, ProductId, CatalogPage, RoomId, ScrollTop, UserId } from './fields.js'

export const User = Type.Object({
  id: UserId,
  name: Type.String(),
  email: Type.String(),
  createdAt: IsoDate,
})
export type User = Static<typeof User>

/** How a user appears to others in a room: never the email. */
export const PublicUser = Type.Object({ id: UserId, name: Type.String() })
export type PublicUser = Static<typeof PublicUser>

export const Room = Type.Object({
  id: RoomId,
  name: Type.String(),
  ownerId: UserId,
  createdAt: IsoDate,
})
export type Room = Static<typeof Room>

export const RoomSummary = Type.Intersect([Room, Type.Object({ online: Type.Integer({ minimum: 0 }) })])
export type RoomSummary = Static<typeof RoomSummary>

export const ChatMessage = Type.Object({
  id: Type.String(),
  roomId: RoomId,
  seq: Type.Integer({ minimum: 1 }),
  user: PublicUser,
  text: Type.String(),
  ts: Type.Integer({ minimum: 0 }),
  /** Milliseconds since the epoch of the last edit, when the author edited it. */
  editedAt: Type.Optional(Type.Integer({ minimum: 0 })),
  /** A deleted message keeps its place (and `seq`) with empty text. */
  deleted: Type.Optional(Type.Literal(true)),
})
export type ChatMessage = Static<typeof ChatMessage>

export const RoomState = Type.Object({
  page: CatalogPage,
  top: ScrollTop,
  highlights: Type.Record(Type.String(), ProductId),
})
export type RoomState = Static<typeof RoomState>

export const INITIAL_ROOM_STATE: RoomState = { page: 1, top: 0, highlights: {} }
