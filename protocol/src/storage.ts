/**
 * The storage layout that the API and the gateways share: MongoDB collections and documents, and
 * Redis keys. Not part of the wire contract, but written once so the two services cannot drift.
 */
import type { ChatMessage, Room } from './models.js'

export const Collections = { users: 'users', rooms: 'rooms', messages: 'messages' } as const

export interface UserDoc {
  _id: string
  name: string
  /** As registered, for display. */
  email: string
  /** Lower-cased: the unique index is on this field. */
  emailKey: string
  passwordHash: string
  createdAt: Date
}

export interface RoomDoc {
  _id: string
  name: string
  ownerId: string
  createdAt: Date
}

/** A chat message; `_id` is the message id. Unique on (roomId, seq). */
export interface MessageDoc {
  _id: string
  roomId: string
  seq: number
  userId: string
  userName: string
  text: string
  ts: number
}

export function roomFromDoc(doc: RoomDoc): Room {
  return { id: doc._id, name: doc.name, ownerId: doc.ownerId, createdAt: doc.createdAt.toISOString() }
}

export function messageFromDoc(doc: MessageDoc): ChatMessage {
  return {
    id: doc._id,
    roomId: doc.roomId,
    seq: doc.seq,
    user: { id: doc.userId, name: doc.userName },
    text: doc.text,
    ts: doc.ts,
  }
}

/**
 * Redis keys. Every key of one room carries the `{roomId}` hash tag, so a room's keys share one
 * Redis Cluster slot and one Lua script may touch them together.
 */
export const RedisKeys = {
  /** HASH: field `<userId>|<nodeId>` → number of that user's sockets in the room on that node. */
  presence: (roomId: string) => `hg:room:{${roomId}}:presence`,
  /** HASH: field `<userId>` → display name, for users present in the room. */
  names: (roomId: string) => `hg:room:{${roomId}}:names`,
  /** HASH: `page`, `top`, and `hl:<userId>` → highlighted product id. */
  state: (roomId: string) => `hg:room:{${roomId}}:state`,
  /** STRING: the room's last chat seq (INCR). */
  seq: (roomId: string) => `hg:room:{${roomId}}:seq`,
  /** STRING with a TTL: the node is alive while it exists. Value: the node's upstream address. */
  nodeHeartbeat: (nodeId: string) => `hg:node:{${nodeId}}:alive`,
  /** SET: rooms in which the node has participants. */
  nodeRooms: (nodeId: string) => `hg:node:{${nodeId}}:rooms`,
  /** STRING with a TTL: held by the one surviving node that reaps a dead node's presence; kept 1 h after the reap as the mark that tells the node, should it resume, that it was reaped. */
  nodeReaper: (nodeId: string) => `hg:node:{${nodeId}}:reaper`,
  /** HASH: nodeId → upstream server string as written in nginx's config (the ring's members). */
  nodes: 'hg:nodes',
  /** Prefix of the Socket.io Redis adapter's channels. */
  adapterPrefix: 'hg:sio',
} as const

/** Field of the presence hash for one user on one node, and its inverse. */
export function presenceField(userId: string, nodeId: string): string {
  return `${userId}|${nodeId}`
}
export function userOfPresenceField(field: string): string {
  return field.slice(0, field.lastIndexOf('|'))
}

/** Distinct users online, from the presence hash's fields. */
export function countOnline(presenceFields: string[]): number {
  return new Set(presenceFields.map(userOfPresenceField)).size
}

/** The one index of the messages collection: both the API and the gateways ensure it, under this name. */
export const MESSAGES_INDEX = { key: { roomId: 1, seq: 1 }, name: 'roomId_seq_unique', unique: true } as const
