import type { TSchema } from 'typebox'
import {
  AckError,
  AckErrorCodes,
  HANDSHAKE_FORBIDDEN_ORIGIN,
  HANDSHAKE_RATE_LIMITED,
  HANDSHAKE_UNAUTHORIZED,
  HANDSHAKE_UNAVAILABLE,
} from './errors.js'
import { ClientAcks, ServerPayloads } from './event-schemas.js'
import { type ClientEventName, ClientPayloads, HandshakeAuth, type ServerEventName } from './events.js'
import { ROOM_ID_PATTERN } from './fields.js'

/** What each client event does (CONTRACT.md's realtime table, in one line each). */
const CLIENT_EVENT_DOCS: Record<ClientEventName, string> = {
  join_room: 'Join the room: answers presence, participants, shared state and the latest history in the ack.',
  leave_room: 'Leave the room; user_leaved follows at once when it was the user’s last socket there.',
  message: 'Send a chat message (1-2000 characters after trimming). A resend with the same clientId answers the first ack.',
  click_event: 'Highlight a product (1-20) for everyone in the room.',
  scroll_update: 'Share the catalog’s scroll position (0-1 of the scrollable height).',
  page_change: 'Share the catalog page (1-3).',
  typing: 'The user is typing (at most every 2 s while typing).',
  pointer_move: 'Share the pointer over the catalog (fractions 0-1 of width and scrollable height).',
  edit_message: 'Edit one of the user’s own messages; FORBIDDEN for another’s, BAD_REQUEST for an unknown id.',
  delete_message: 'Delete one of the user’s own messages; it stays in history with empty text so seq has no holes.',
}

/** Who receives each server event. */
const SERVER_EVENT_DOCS: Record<ServerEventName, string> = {
  user_joined: 'To every other socket in the room, when a user’s first socket joins.',
  user_leaved:
    'To every socket left in the room when a user’s last socket leaves: at once after leave_room, after a grace of at most 5 s ' +
    'after a disconnect, within 10 s when the user’s gateway node dies.',
  message: 'A chat message, to every socket in the room, the sender’s included.',
  user_clicked: 'To every socket in the room but the sender’s.',
  scroll_updated: 'To every socket in the room but the sender’s.',
  page_changed: 'To every socket in the room but the sender’s.',
  user_typing: 'To every socket in the room but the sender’s; shown for 3 s unless renewed.',
  pointer_moved: 'To every socket in the room but the sender’s; at most 20 a second per user (the latest wins).',
  message_edited: 'The edited message (with editedAt), to every socket in the room.',
  message_deleted: 'To every socket in the room.',
  rebalance: 'This room now lives on another node: reconnect after delayMs and join again.',
}

const HANDSHAKE_REFUSALS = [HANDSHAKE_UNAUTHORIZED, HANDSHAKE_FORBIDDEN_ORIGIN, HANDSHAKE_RATE_LIMITED, HANDSHAKE_UNAVAILABLE]

/** A TypeBox schema as plain JSON Schema (AsyncAPI's default schema format is a JSON Schema superset). */
const json = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema))
const ref = (path: string) => ({ $ref: path })

/**
 * The realtime contract as an AsyncAPI 3.0 document, built from this package's schemas: every
 * client event with its payload and ack, every server event with its payload, the handshake and
 * its refusals. `protocol/scripts/asyncapi.ts` writes it to docs/asyncapi.json; the API serves it.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {}
  const channelMessages: Record<string, unknown> = {}
  const operations: Record<string, unknown> = {}
  const add = (key: string, message: Record<string, unknown>) => {
    messages[key] = message
    channelMessages[key] = ref(`#/components/messages/${key}`)
  }

  for (const event of Object.keys(ClientPayloads) as ClientEventName[]) {
    add(`client.${event}`, {
      name: event,
      title: event,
      summary: CLIENT_EVENT_DOCS[event],
      payload: json(ClientPayloads[event]),
    })
    add(`ack.${event}`, {
      name: `${event} ack`,
      title: `${event} acknowledgement`,
      summary: `The acknowledgement callback's argument: {ok: true, ...} or {ok: false, error: {code, message}}.`,
      payload: json(ClientAcks[event]),
    })
    operations[`send_${event}`] = {
      action: 'receive',
      title: `Client emits ${event}`,
      summary: CLIENT_EVENT_DOCS[event],
      description: 'Every client event takes an acknowledgement callback. A rejected event changes nothing and reaches nobody.',
      channel: ref('#/channels/room'),
      messages: [ref(`#/channels/room/messages/client.${event}`)],
      reply: { channel: ref('#/channels/room'), messages: [ref(`#/channels/room/messages/ack.${event}`)] },
    }
  }
  for (const event of Object.keys(ServerPayloads) as ServerEventName[]) {
    add(`server.${event}`, { name: event, title: event, summary: SERVER_EVENT_DOCS[event], payload: json(ServerPayloads[event]) })
    operations[`receive_${event}`] = {
      action: 'send',
      title: `Server emits ${event}`,
      summary: SERVER_EVENT_DOCS[event],
      channel: ref('#/channels/room'),
      messages: [ref(`#/channels/room/messages/server.${event}`)],
    }
  }
  add('server.connect_error', {
    name: 'connect_error',
    title: 'connect_error',
    summary: 'The handshake was refused; `message` says why. UNAUTHORIZED: missing, forged or expired token.',
    payload: {
      type: 'object',
      required: ['message'],
      properties: { message: { type: 'string', enum: HANDSHAKE_REFUSALS } },
    },
  })
  operations.refuse_handshake = {
    action: 'send',
    title: 'Server refuses the handshake',
    summary: `connect_error with message ${HANDSHAKE_REFUSALS.join(', ')}; RATE_LIMITED: the user holds 20 sockets already.`,
    channel: ref('#/channels/room'),
    messages: [ref('#/channels/room/messages/server.connect_error')],
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Hangout realtime',
      version: '1',
      description:
        'The realtime half of the Hangout contract over Socket.IO v4 (path /socket.io). Handshake: ' +
        '`io(EDGE, {path: "/socket.io", query: {room: roomId}, auth: {token}})`: `auth.token` is the JWT from POST ' +
        '/api/auth/login; `query.room` is hashed by the edge to pick the gateway node, so one room’s sockets meet on one node. ' +
        `Ack error codes: ${AckErrorCodes.join(', ')}. Emitting to a room the socket has not joined: NOT_IN_ROOM.`,
    },
    defaultContentType: 'application/json',
    servers: {
      edge: {
        host: '127.0.0.1:8080',
        protocol: 'ws',
        pathname: '/socket.io',
        description: 'The edge (nginx) locally; Socket.IO may start on HTTP long-polling and upgrade to a WebSocket.',
        security: [ref('#/components/securitySchemes/token')],
      },
    },
    channels: {
      room: {
        address: '/socket.io/?room={roomId}',
        title: 'A socket for one room',
        description:
          'One Socket.IO connection, routed by its room. Every event below travels on it; payloads are JSON, one argument each.',
        parameters: { roomId: { description: `The room this socket is for (URL-safe: ${ROOM_ID_PATTERN}).` } },
        messages: channelMessages,
      },
    },
    operations,
    components: {
      messages,
      schemas: { HandshakeAuth: json(HandshakeAuth), AckError: json(AckError) },
      securitySchemes: {
        token: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Sent in the Socket.IO CONNECT packet as `auth: {token}` (schema HandshakeAuth), not as an HTTP header.',
        },
      },
    },
  }
}
