import type { Static, TSchema } from 'typebox'
import {
  type ClientEventName,
  type ClientToServerEvents,
  JoinRoomAck,
  MessageAck,
  MessageDeletedPayload,
  PageChangedPayload,
  PointerMovedPayload,
  PresencePayload,
  RebalancePayload,
  ScrollUpdatedPayload,
  type ServerEventName,
  type ServerToClientEvents,
  SimpleAck,
  UserClickedPayload,
  UserTypingPayload,
} from './events.js'
import { ChatMessage } from './models.js'

/** The payload schema of every server event, by name (ServerToClientEvents' payloads as schemas). */
export const ServerPayloads = {
  user_joined: PresencePayload,
  user_leaved: PresencePayload,
  message: ChatMessage,
  user_clicked: UserClickedPayload,
  scroll_updated: ScrollUpdatedPayload,
  page_changed: PageChangedPayload,
  user_typing: UserTypingPayload,
  pointer_moved: PointerMovedPayload,
  message_edited: ChatMessage,
  message_deleted: MessageDeletedPayload,
  rebalance: RebalancePayload,
} as const satisfies Record<ServerEventName, TSchema>

/** The acknowledgement schema of every client event, by name (ClientToServerEvents' acks as schemas). */
export const ClientAcks = {
  join_room: JoinRoomAck,
  leave_room: SimpleAck,
  message: MessageAck,
  click_event: SimpleAck,
  scroll_update: SimpleAck,
  page_change: SimpleAck,
  typing: SimpleAck,
  pointer_move: SimpleAck,
  edit_message: MessageAck,
  delete_message: SimpleAck,
} as const satisfies Record<ClientEventName, TSchema>

// Compile-time proof that the tables above say what the Socket.io typings say (a drift fails typecheck).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type AckOf<E extends ClientEventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]
type PayloadOf<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0]
const acksMatch: { [E in ClientEventName]: Same<Static<(typeof ClientAcks)[E]>, AckOf<E>> } = {
  join_room: true,
  leave_room: true,
  message: true,
  click_event: true,
  scroll_update: true,
  page_change: true,
  typing: true,
  pointer_move: true,
  edit_message: true,
  delete_message: true,
}
const payloadsMatch: { [E in ServerEventName]: Same<Static<(typeof ServerPayloads)[E]>, PayloadOf<E>> } = {
  user_joined: true,
  user_leaved: true,
  message: true,
  user_clicked: true,
  scroll_updated: true,
  page_changed: true,
  user_typing: true,
  pointer_moved: true,
  message_edited: true,
  message_deleted: true,
  rebalance: true,
}
void acksMatch
void payloadsMatch
