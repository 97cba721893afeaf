/**
 * The storage layout that the API and the gateways share: MongoDB collections and documents, and
 * Redis keys. Not part of the wire contract, but written once so the two services cannot drift.
 */
import type { ChatMessage, Room } from '@hangout/protocol'

export const Collections = { users: 'users', rooms: 'rooms', messages: 'messages', memberships: 'memberships' } as const

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

/** A chat message; `_id` is the message id. Unique on (roomId, seq) and on (roomId, userId, clientId). */
export interface MessageDoc {
  _id: string
  roomId: string
  seq: number
  userId: string
  userName: string
  text: string
  ts: number
  /** The sender's idempotency key, or the message id when it sent none (absent on older documents). */
  clientId?: string
  /** Milliseconds since the epoch of the last edit. */
  editedAt?: number
  /** Deleted by its author: `text` is "" then. */
  deleted?: true
}

/**
 * A user's membership of a room: they own it or joined it by its link. `_id` is
 * `membershipId(userId, roomId)`, so a user is a member of a room once (the `_id` index is unique)
 * and a check is one `_id` lookup.
 */
export interface MembershipDoc {
  _id: string
  userId: string
  roomId: string
  joinedAt: Date
  /** The last time the user opened the room (joined it again): GET /rooms lists the newest first. */
  lastUsedAt: Date
}

export function membershipId(userId: string, roomId: string): string {
  return `${userId}|${roomId}`
}

/** The one write of a membership (the API's create and join, the gateways' join_room): an upsert. */
export function membershipUpsert(userId: string, roomId: string, now: Date) {
  return {
    filter: { _id: membershipId(userId, roomId) },
    update: { $set: { lastUsedAt: now }, $setOnInsert: { userId, roomId, joinedAt: now } },
  }
}

/** The memberships' index for GET /rooms: a user's rooms, most recently used first. */
export const MEMBERSHIPS_BY_USER_INDEX = { key: { userId: 1, lastUsedAt: -1 }, name: 'userId_lastUsedAt' } as const

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
    ...(doc.editedAt === undefined ? {} : { editedAt: doc.editedAt }),
    ...(doc.deleted ? { deleted: true as const } : {}),
  }
}

/** Candidate slots for a node's mirrored heartbeat (`RedisKeys.nodeHeartbeatMirror`). */
export const NODE_HEARTBEAT_MIRRORS = 8

/**
 * Redis keys. Every key of one room carries the `{roomId}` hash tag, so a room's keys share one
 * Redis Cluster slot and one Lua script may touch them together.
 */
export const RedisKeys = {
  /** HASH: field `<userId>|<nodeId>` → number of that user's sockets in the room on that node. */
  presence: (roomId: string) => `hg:room:{${roomId}}:presence`,
  /** HASH: field `<userId>` → display name, for users present in the room. */
  names: (roomId: string) => `hg:room:{${roomId}}:names`,
  /** HASH: `page`, `top`, and one field per highlight (room-state.ts is its codec). */
  state: (roomId: string) => `hg:room:{${roomId}}:state`,
  /** STRING: the room's last chat seq (INCR). */
  seq: (roomId: string) => `hg:room:{${roomId}}:seq`,
  /**
   * ZSET with a TTL: the room's latest chat messages (ChatMessage JSON, score = seq), see
   * store/src/recent-history.ts. Complete (warm) only while it holds the mark `warm:<Redis run_id>` at score 0.
   */
  recent: (roomId: string) => `hg:room:{${roomId}}:recent`,
  /** STRING with a TTL: the room as the API created it (Room JSON), see store/src/room-records.ts. */
  record: (roomId: string) => `hg:room:{${roomId}}:record`,
  /** STRING with a TTL: the ChatMessage JSON a user's message with this clientId was stored as (idempotency). */
  sent: (roomId: string, userId: string, clientId: string) => `hg:room:{${roomId}}:sent:${userId}:${clientId}`,
  /** STRING with a TTL: the node is alive while it exists. Value: the node's upstream address. */
  nodeHeartbeat: (nodeId: string) => `hg:node:{${nodeId}}:alive`,
  /**
   * STRING with a TTL: the same heartbeat again, in a slot of its own (candidate 1 to
   * NODE_HEARTBEAT_MIRRORS), so that a node's liveness does not hang on the one shard of `{nodeId}`
   * (gateway/src/cluster/heartbeat-keys.ts picks the candidate). Value: the node's upstream address.
   */
  nodeHeartbeatMirror: (nodeId: string, candidate: number) => `hg:node-alive:{${nodeId}/${candidate}}`,
  /** STRING: the incarnation of the node's current (or last) life, drawn at its start; a reaper reaps that life's presence. */
  nodeIncarnation: (nodeId: string) => `hg:node:{${nodeId}}:incarnation`,
  /** SET: rooms in which the node has participants. */
  nodeRooms: (nodeId: string) => `hg:node:{${nodeId}}:rooms`,
  /**
   * STRING with a TTL: held by the one surviving node that reaps a dead node's presence; kept 1 h after the reap as the mark that tells the node, should it resume, that it was reaped.
   * Value: the incarnation reaped (empty: every life of the node id).
   */
  nodeReaper: (nodeId: string) => `hg:node:{${nodeId}}:reaper`,
  /** HASH: nodeId → upstream server string as written in nginx's config (the ring's members). */
  nodes: 'hg:nodes',
  /** STRING with a TTL until the token's own expiry: the token with this jti was revoked (logout). */
  revokedToken: (userId: string, jti: string) => `hg:user:{${userId}}:revoked:${jti}`,
  /** STRING, ms since the epoch, with a TTL of the longest token life: tokens issued before it are refused (account deleted). */
  userCutoff: (userId: string) => `hg:user:{${userId}}:cutoff`,
  /** HASH: field nodeId → sockets the user holds on that node (the per-user socket quota). */
  userSockets: (userId: string) => `hg:user:{${userId}}:sockets`,
  /** SET: users holding sockets on the node, so whoever reaps the node finds their counts. */
  nodeUsers: (nodeId: string) => `hg:node:{${nodeId}}:users`,
  /** Pub/sub channel of revocations (a `Revocation` as JSON): gateways disconnect the sockets concerned. */
  revocations: 'hg:revocations',
  /** Prefix of the Socket.io Redis adapter's channels. */
  adapterPrefix: 'hg:sio',
  /** The sharded adapter's channel of one room (`dynamic` mode: one channel per public room). */
  adapterRoomChannel: (roomId: string) => `hg:sio#/#${roomId}#`,
} as const

/** What the API publishes on `RedisKeys.revocations`: one token (logout), or every token of a user issued before `before` (ms). */
export type Revocation = { userId: string; jti: string } | { userId: string; before: number }

/**
 * Whether a token is revoked, from the values of its two keys (`revokedToken`, `userCutoff`): its
 * jti was revoked, or it was issued (`iat`, seconds) at or before the user's cutoff. The gateway's
 * handshake script (gateway/src/socket-quota.ts) applies the same rule inside Redis.
 */
export function isTokenRevoked(iat: number, revokedValue: string | null, cutoffValue: string | null): boolean {
  return revokedValue !== null || (cutoffValue !== null && iat * 1000 <= Number(cutoffValue))
}

/** A revocation read from the channel, or undefined when the message is not one. */
export function parseRevocation(message: string): Revocation | undefined {
  let value: unknown
  try {
    value = JSON.parse(message)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { userId, jti, before } = value as Record<string, unknown>
  if (typeof userId !== 'string') return undefined
  if (typeof jti === 'string') return { userId, jti }
  if (typeof before === 'number') return { userId, before }
  return undefined
}

/**
 * Field of the presence hash for one user on one life of a node: `<userId>|<nodeId>#<incarnation>`
 * (a gateway draws a new incarnation each time it starts, so the fields of a previous life of the
 * same node id are told apart from its own); without an incarnation, `<userId>|<nodeId>`.
 */
export function presenceField(userId: string, nodeId: string, incarnation?: string): string {
  return `${userId}|${presenceMember(nodeId, incarnation)}`
}
/** What follows the `|` of a presence field: the node id and the incarnation of the life that wrote it. */
export function presenceMember(nodeId: string, incarnation?: string): string {
  return incarnation === undefined ? nodeId : `${nodeId}#${incarnation}`
}
export function userOfPresenceField(field: string): string {
  return field.slice(0, field.lastIndexOf('|'))
}
/** The node id of a presence field, whichever life of the node wrote it. */
export function nodeOfPresenceField(field: string): string {
  const member = field.slice(field.lastIndexOf('|') + 1)
  const at = member.lastIndexOf('#')
  return at < 0 ? member : member.slice(0, at)
}

/** Distinct users online, from the presence hash's fields. */
export function countOnline(presenceFields: string[]): number {
  return new Set(presenceFields.map(userOfPresenceField)).size
}

/** The indexes of the messages collection: both the API and the gateways ensure them, under these names. */
export const MESSAGES_INDEX = { key: { roomId: 1, seq: 1 }, name: 'roomId_seq_unique', unique: true } as const
/**
 * A resend of a clientId is stored once. Partial (documents from before clientId existed have none)
 * where the server can (MongoDB); FerretDB v1 has no partial indexes but never indexes a missing field.
 */
export const MESSAGES_CLIENT_INDEX = {
  key: { roomId: 1, userId: 1, clientId: 1 },
  name: 'roomId_userId_clientId_unique',
  unique: true,
  partialFilterExpression: { clientId: { $exists: true } },
} as const
