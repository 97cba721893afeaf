/**
 * The contract's names and limits for the k6 scripts. k6 cannot import @hangout/protocol at run
 * time (no package resolution, and TypeBox is not for its runtime), so the values are restated
 * here ONCE and tsc checks every one against the protocol's own literal types: a renamed event or
 * a changed limit fails `loadtest/test/k6-typecheck.test.ts`.
 */
import type {
  ClientEvent as ProtocolClientEvent,
  PRODUCT_COUNT as PROTOCOL_PRODUCT_COUNT,
  ServerEvent as ProtocolServerEvent,
} from '@hangout/protocol'

export const ClientEvent: typeof ProtocolClientEvent = {
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
}

export const ServerEvent: typeof ProtocolServerEvent = {
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
}

export const PRODUCT_COUNT: typeof PROTOCOL_PRODUCT_COUNT = 20
/** Catalog pages are 1..PAGE_COUNT (protocol: ceil(PRODUCT_COUNT / PAGE_SIZE)). */
export const PAGE_COUNT = 3

/** REST routes behind the edge's /api prefix. */
export const ApiRoutes = { register: '/api/auth/register', createRoom: '/api/rooms/room' } as const
