import { ClientPayloads, type ClientEventName, HandshakeAuth } from './events.js'
import { CreateRoomBody, JoinRoomBody, LoginBody, MessagesQuery, RegisterBody, RoomParams } from './rest.js'
import { validator } from './validate.js'

/** Compiled validators of every client → server payload, by event name. */
export const clientPayloadValidators = {
  join_room: validator(ClientPayloads.join_room),
  leave_room: validator(ClientPayloads.leave_room),
  message: validator(ClientPayloads.message),
  click_event: validator(ClientPayloads.click_event),
  scroll_update: validator(ClientPayloads.scroll_update),
  page_change: validator(ClientPayloads.page_change),
  typing: validator(ClientPayloads.typing),
  pointer_move: validator(ClientPayloads.pointer_move),
  edit_message: validator(ClientPayloads.edit_message),
  delete_message: validator(ClientPayloads.delete_message),
} satisfies { [E in ClientEventName]: ReturnType<typeof validator<(typeof ClientPayloads)[E]>> }

export const handshakeAuthValidator = validator(HandshakeAuth)

/** Compiled validators of every REST input. */
export const restValidators = {
  register: validator(RegisterBody),
  login: validator(LoginBody),
  createRoom: validator(CreateRoomBody),
  joinRoom: validator(JoinRoomBody),
  roomParams: validator(RoomParams),
  messagesQuery: validator(MessagesQuery),
}
