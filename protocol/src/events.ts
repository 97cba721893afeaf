import { type Static, Type, type TSchema } from 'typebox'
import { AckError } from './errors.js'
import {
  CatalogPage,
  ChatText,
  ClientId,
  HISTORY_LIMIT,
  MessageId,
  PointerFraction,
  ProductId,
  RoomId,
  ScrollTop,
} from './fields.js'
import { ChatMessage, PublicUser, Room, RoomState } from './models.js'

/** Client → server event names. */
export const ClientEvent = {
  joinRoom: 'join_room',
  leaveRoom: 'leave_room',
  message: 'message',
  click: 'click_event',
  scroll: 'scroll_update',
  page: 'page_change',
  typing: 'typing',
  pointer: 'pointer_move',
  editMessage: 'edit_message',
  deleteMessage: 'delete_message',
} as const
export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent]

/** Server → client event names. */
export const ServerEvent = {
  userJoined: 'user_joined',
  userLeaved: 'user_leaved',
  message: 'message',
  userClicked: 'user_clicked',
  scrollUpdated: 'scroll_updated',
  pageChanged: 'page_changed',
  userTyping: 'user_typing',
  pointerMoved: 'pointer_moved',
  messageEdited: 'message_edited',
  messageDeleted: 'message_deleted',
  rebalance: 'rebalance',
} as const
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent]

const strict = { additionalProperties: false } as const

// Client → server payloads.
export const JoinRoomPayload = Type.Object({ roomId: RoomId }, strict)
export type JoinRoomPayload = Static<typeof JoinRoomPayload>
export const LeaveRoomPayload = Type.Object({ roomId: RoomId }, strict)
export type LeaveRoomPayload = Static<typeof LeaveRoomPayload>
export const MessagePayload = Type.Object({ roomId: RoomId, text: ChatText, clientId: Type.Optional(ClientId) }, strict)
export type MessagePayload = Static<typeof MessagePayload>
export const ClickPayload = Type.Object({ roomId: RoomId, productId: ProductId }, strict)
export type ClickPayload = Static<typeof ClickPayload>
export const ScrollPayload = Type.Object({ roomId: RoomId, top: ScrollTop }, strict)
export type ScrollPayload = Static<typeof ScrollPayload>
export const PagePayload = Type.Object({ roomId: RoomId, page: CatalogPage }, strict)
export type PagePayload = Static<typeof PagePayload>
export const TypingPayload = Type.Object({ roomId: RoomId }, strict)
export type TypingPayload = Static<typeof TypingPayload>
export const PointerPayload = Type.Object({ roomId: RoomId, x: PointerFraction, y: PointerFraction }, strict)
export type PointerPayload = Static<typeof PointerPayload>
export const EditMessagePayload = Type.Object({ roomId: RoomId, id: MessageId, text: ChatText }, strict)
export type EditMessagePayload = Static<typeof EditMessagePayload>
export const DeleteMessagePayload = Type.Object({ roomId: RoomId, id: MessageId }, strict)
export type DeleteMessagePayload = Static<typeof DeleteMessagePayload>

/** The payload schema of every client event, by name. */
export const ClientPayloads = {
  [ClientEvent.joinRoom]: JoinRoomPayload,
  [ClientEvent.leaveRoom]: LeaveRoomPayload,
  [ClientEvent.message]: MessagePayload,
  [ClientEvent.click]: ClickPayload,
  [ClientEvent.scroll]: ScrollPayload,
  [ClientEvent.page]: PagePayload,
  [ClientEvent.typing]: TypingPayload,
  [ClientEvent.pointer]: PointerPayload,
  [ClientEvent.editMessage]: EditMessagePayload,
  [ClientEvent.deleteMessage]: DeleteMessagePayload,
} as const satisfies Record<ClientEventName, TSchema>

// Acknowledgements.
function Ack<T extends TSchema>(success: T) {
  return Type.Union([success, AckError])
}
export const OkAck = Type.Object({ ok: Type.Literal(true) })
export const JoinRoomOk = Type.Object({
  ok: Type.Literal(true),
  node: Type.String(),
  room: Room,
  participants: Type.Array(PublicUser),
  state: RoomState,
  history: Type.Array(ChatMessage, { maxItems: HISTORY_LIMIT }),
})
export type JoinRoomOk = Static<typeof JoinRoomOk>
export const MessageOk = Type.Object({ ok: Type.Literal(true), message: ChatMessage })
export type MessageOk = Static<typeof MessageOk>

export const JoinRoomAck = Ack(JoinRoomOk)
export type JoinRoomAck = Static<typeof JoinRoomAck>
export const MessageAck = Ack(MessageOk)
export type MessageAck = Static<typeof MessageAck>
export const SimpleAck = Ack(OkAck)
export type SimpleAck = Static<typeof SimpleAck>

// Server → client payloads.
export const PresencePayload = Type.Object({ roomId: RoomId, user: PublicUser, count: Type.Integer({ minimum: 0 }) })
export type PresencePayload = Static<typeof PresencePayload>
export const UserClickedPayload = Type.Object({ roomId: RoomId, user: PublicUser, productId: ProductId })
export type UserClickedPayload = Static<typeof UserClickedPayload>
export const ScrollUpdatedPayload = Type.Object({ roomId: RoomId, user: PublicUser, top: ScrollTop })
export type ScrollUpdatedPayload = Static<typeof ScrollUpdatedPayload>
export const PageChangedPayload = Type.Object({ roomId: RoomId, user: PublicUser, page: CatalogPage })
export type PageChangedPayload = Static<typeof PageChangedPayload>
export const UserTypingPayload = Type.Object({ roomId: RoomId, user: PublicUser })
export type UserTypingPayload = Static<typeof UserTypingPayload>
export const PointerMovedPayload = Type.Object({ roomId: RoomId, user: PublicUser, x: PointerFraction, y: PointerFraction })
export type PointerMovedPayload = Static<typeof PointerMovedPayload>
export const MessageDeletedPayload = Type.Object({ roomId: RoomId, id: MessageId, seq: Type.Integer({ minimum: 1 }) })
export type MessageDeletedPayload = Static<typeof MessageDeletedPayload>
export const RebalancePayload = Type.Object({ roomId: RoomId, delayMs: Type.Integer({ minimum: 0 }) })
export type RebalancePayload = Static<typeof RebalancePayload>

type Callback<A> = (ack: A) => void

/** Socket.io typings shared by the gateway and every client. */
export interface ClientToServerEvents {
  join_room: (payload: JoinRoomPayload, ack: Callback<JoinRoomAck>) => void
  leave_room: (payload: LeaveRoomPayload, ack: Callback<SimpleAck>) => void
  message: (payload: MessagePayload, ack: Callback<MessageAck>) => void
  click_event: (payload: ClickPayload, ack: Callback<SimpleAck>) => void
  scroll_update: (payload: ScrollPayload, ack: Callback<SimpleAck>) => void
  page_change: (payload: PagePayload, ack: Callback<SimpleAck>) => void
  typing: (payload: TypingPayload, ack: Callback<SimpleAck>) => void
  pointer_move: (payload: PointerPayload, ack: Callback<SimpleAck>) => void
  edit_message: (payload: EditMessagePayload, ack: Callback<MessageAck>) => void
  delete_message: (payload: DeleteMessagePayload, ack: Callback<SimpleAck>) => void
}

export interface ServerToClientEvents {
  user_joined: (payload: PresencePayload) => void
  user_leaved: (payload: PresencePayload) => void
  message: (payload: ChatMessage) => void
  user_clicked: (payload: UserClickedPayload) => void
  scroll_updated: (payload: ScrollUpdatedPayload) => void
  page_changed: (payload: PageChangedPayload) => void
  user_typing: (payload: UserTypingPayload) => void
  pointer_moved: (payload: PointerMovedPayload) => void
  message_edited: (payload: ChatMessage) => void
  message_deleted: (payload: MessageDeletedPayload) => void
  rebalance: (payload: RebalancePayload) => void
}

/** What the handshake carries: `query.room` routes the socket at the edge, `auth.token` proves the user. */
export const HandshakeAuth = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) })
export type HandshakeAuth = Static<typeof HandshakeAuth>
