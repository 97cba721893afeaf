import { type PublicUser, RedisKeys, userOfPresenceField } from '@hangout/protocol'
import type { Redis } from 'ioredis'
import { LUA_USERS, LuaScript } from './lua.js'

/** A presence change: whether it was the user's first socket (join) or last (leave), and the room's user count after it. */
export interface PresenceChange {
  changed: boolean
  count: number
}

const JOIN = new LuaScript(`${LUA_USERS}
local before = users(KEYS[1])
local was = before[ARGV[1]] ~= nil
redis.call('HINCRBY', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 1)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local _, n = users(KEYS[1])
if was then return {0, n} end
return {1, n}
`)

const LEAVE = new LuaScript(`${LUA_USERS}
local field = ARGV[1] .. '|' .. ARGV[2]
local left = redis.call('HINCRBY', KEYS[1], field, -tonumber(ARGV[3]))
if left <= 0 then redis.call('HDEL', KEYS[1], field) end
local set, n = users(KEYS[1])
if set[ARGV[1]] then return {0, n} end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], 'hl:' .. ARGV[1])
return {1, n}
`)

/** Removes every field of one node; answers the count and the users who have no socket left anywhere. */
const REAP = new LuaScript(`${LUA_USERS}
local gone = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local u, node = string.match(f, '^(.*)|([^|]*)$')
  if node == ARGV[1] then
    redis.call('HDEL', KEYS[1], f)
    gone[#gone + 1] = u
  end
end
local set, n = users(KEYS[1])
local out = {n}
for _, u in ipairs(gone) do
  if not set[u] then
    out[#out + 1] = u
    out[#out + 1] = redis.call('HGET', KEYS[2], u) or ''
    redis.call('HDEL', KEYS[2], u)
    redis.call('HDEL', KEYS[3], 'hl:' .. u)
  end
end
return out
`)

/**
 * Writes one node's share of a room back: its users' socket counts (as they are: the node's own
 * fields) and the state fields it last knew, each only where Redis has none (a newer value written
 * by another node meanwhile wins).
 * ARGV: nodeId, user count, then userId, name, sockets per user, then state field, value pairs.
 */
const RESTORE = new LuaScript(`
local i = 3
for _ = 1, tonumber(ARGV[2]) do
  redis.call('HSET', KEYS[1], ARGV[i] .. '|' .. ARGV[1], ARGV[i + 2])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 3
end
while i < #ARGV do
  redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
return 1
`)

export type LocalRooms = Map<string, Map<string, { name: string; sockets: number }>>

/** The cluster-wide participant lists of rooms, in Redis; every change is one Lua script. */
export class Presence {
  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
  ) {}

  /*
   * The node's room set (RedisKeys.nodeRooms) lives in another Redis Cluster slot than the room's
   * keys, so no script may touch both. Instead `join` and `leave` send the set's SADD/SREM and the
   * room's script in the same tick on the one connection, decided by the node's own membership at
   * that moment: Redis applies them in the order the node decided them, so a leave that emptied
   * the room here can never remove a room that a later join on this node added back.
   * The set is written before the script on a join and after it on a leave, so a reaper always
   * finds every room in which this node may have presence.
   */

  async join(roomId: string, user: PublicUser): Promise<PresenceChange> {
    const keys = [RedisKeys.presence(roomId), RedisKeys.names(roomId)]
    const [, result] = await Promise.all([
      this.redis.sadd(RedisKeys.nodeRooms(this.nodeId), roomId),
      JOIN.run(this.redis, keys, [user.id, this.nodeId, user.name]),
    ])
    const [first, count] = result as [number, number]
    return { changed: first === 1, count }
  }

  /** `lastHere`: this node has no participant of the room left, so the room leaves its set. */
  async leave(roomId: string, userId: string, lastHere: boolean): Promise<PresenceChange> {
    const keys = [RedisKeys.presence(roomId), RedisKeys.names(roomId), RedisKeys.state(roomId)]
    const [result] = await Promise.all([
      LEAVE.run(this.redis, keys, [userId, this.nodeId, 1]),
      lastHere ? this.redis.srem(RedisKeys.nodeRooms(this.nodeId), roomId) : undefined,
    ])
    const [last, count] = result as [number, number]
    return { changed: last === 1, count }
  }

  /** Removes a (dead) node's participants from a room; answers who left the room entirely. */
  async reap(roomId: string, nodeId: string): Promise<{ count: number; left: PublicUser[] }> {
    const keys = [RedisKeys.presence(roomId), RedisKeys.names(roomId), RedisKeys.state(roomId)]
    const [count, ...flat] = (await REAP.run(this.redis, keys, [nodeId])) as [number, ...string[]]
    const left: PublicUser[] = []
    for (let i = 0; i + 1 < flat.length; i += 2) left.push({ id: flat[i]!, name: flat[i + 1]! })
    return { count, left }
  }

  async participants(roomId: string): Promise<PublicUser[]> {
    const [fields, names] = await Promise.all([
      this.redis.hkeys(RedisKeys.presence(roomId)),
      this.redis.hgetall(RedisKeys.names(roomId)),
    ])
    const ids = [...new Set(fields.map(userOfPresenceField))]
    return ids.map((id) => ({ id, name: names[id] ?? '' }))
  }

  /**
   * Writes this node's own presence back as it is (idempotent), with the rooms' state as this node
   * last knew it, after Redis lost its data or this node was reaped while it was still alive.
   */
  async restore(rooms: LocalRooms, stateOf: (roomId: string) => [string, string][]): Promise<void> {
    if (rooms.size === 0) return
    const writes: Promise<unknown>[] = [this.redis.sadd(RedisKeys.nodeRooms(this.nodeId), ...rooms.keys())]
    for (const [roomId, users] of rooms) {
      const args: (string | number)[] = [this.nodeId, users.size]
      for (const [userId, { name, sockets }] of users) args.push(userId, name, sockets)
      for (const [field, value] of stateOf(roomId)) args.push(field, value)
      const keys = [RedisKeys.presence(roomId), RedisKeys.names(roomId), RedisKeys.state(roomId)]
      writes.push(RESTORE.run(this.redis, keys, args))
    }
    await Promise.all(writes)
  }
}
