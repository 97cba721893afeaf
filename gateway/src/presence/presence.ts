import { randomBytes } from 'node:crypto'
import type { ChatMessage, PublicUser } from '@hangout/protocol'
import { HIGHLIGHT_PREFIX, LUA_RECENT, LuaScript, presenceMember, RedisKeys, recentFromReply } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'
import { LUA_USERS } from '../redis/lua.js'

/**
 * Writes this node's share of a room as it is (idempotent: the node's socket count per user, set,
 * never incremented), and answers who appeared or vanished by it.
 * KEYS: presence, names, state, recent history (store/recent-history.ts).
 * ARGV: the node's member (`<nodeId>#<incarnation>`: this life of the node), full (1: also remove this life's fields of users not listed), snapshot (1: also
 * answer participants and the state hash; 2: and the recent history), n, then n × (userId, name, sockets here, assumed, condition).
 * `assumed` is the node's count as Redis last confirmed it, or -1 to trust Redis: after a write
 * that failed (timed out, maybe applied anyway) the node's own field can no longer tell whether
 * the user was present before, so the last confirmed count decides, and the transition is announced once.
 * `condition` 1: a claim, written only while the user is in the room already (any field): it can
 * never make the user appear, so it is never announced. 2 (with snapshot 2): written only while the
 * user is in the room already or the recent history is warm: a join that reads its history here
 * never makes its user appear when it would then have to read MongoDB (and might fail).
 * Answers: #changes, then userId, +1|-1, count after, name per change; #skipped by their condition, userId…; then, with snapshot,
 * #participants, (userId, name)…, with history #messages (-1: the cache is cold), JSON…, then the state hash's field, value pairs.
 */
const SYNC = new LuaScript(`${LUA_RECENT}
local node = ARGV[1]
local others, own, present, order, n = {}, {}, {}, {}, 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local u, at = string.match(f, '^(.*)|([^|]*)$')
  if u then
    if at == node then own[u] = true else others[u] = true end
    if not present[u] then present[u] = true; n = n + 1; order[#order + 1] = u end
  end
end
local todo, listed, i = {}, {}, 5
for _ = 1, tonumber(ARGV[4]) do
  todo[#todo + 1] = {ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])}
  listed[ARGV[i]] = true
  i = i + 5
end
if ARGV[2] == '1' then
  for u in pairs(own) do
    if not listed[u] then todo[#todo + 1] = {u, redis.call('HGET', KEYS[2], u) or '', 0, -1, 0} end
  end
end
local messages = false
if ARGV[3] == '2' then messages = recent(KEYS[4]) end
local out, skipped = {0}, {}
for _, t in ipairs(todo) do
  local u, name, sockets, assumed = t[1], t[2], t[3], t[4]
  local field = u .. '|' .. node
  local mine = own[u] == true
  if assumed >= 0 then mine = assumed > 0 end
  local before = others[u] == true or mine
  if sockets > 0 and not before and (t[5] == 1 or (t[5] == 2 and not messages)) then
    skipped[#skipped + 1] = u
  else
    if sockets > 0 then
      redis.call('HSET', KEYS[1], field, sockets)
      redis.call('HSET', KEYS[2], u, name)
      own[u] = true
    else
      redis.call('HDEL', KEYS[1], field)
      own[u] = nil
    end
    local after = others[u] == true or sockets > 0
    if after and not present[u] then present[u] = true; n = n + 1; order[#order + 1] = u end
    if not after and present[u] then present[u] = nil; n = n - 1 end
    if not after then
      redis.call('HDEL', KEYS[2], u)
      redis.call('HDEL', KEYS[3], '${HIGHLIGHT_PREFIX}' .. u)
    end
    if before ~= after then
      out[1] = out[1] + 1
      out[#out + 1] = u
      out[#out + 1] = after and 1 or -1
      out[#out + 1] = n
      out[#out + 1] = name
    end
  end
end
out[#out + 1] = #skipped
for _, u in ipairs(skipped) do out[#out + 1] = u end
if ARGV[3] ~= '0' then
  local names = redis.call('HGETALL', KEYS[2])
  local byId = {}
  for j = 1, #names, 2 do byId[names[j]] = names[j + 1] end
  local at = #out + 1
  out[at] = 0
  for _, u in ipairs(order) do
    if present[u] then
    out[at] = out[at] + 1
    out[#out + 1] = u
    out[#out + 1] = byId[u] or ''
    end
  end
  if ARGV[3] == '2' then
    if messages then
      out[#out + 1] = #messages
      for _, m in ipairs(messages) do out[#out + 1] = m end
    else
      out[#out + 1] = -1
    end
  end
  for _, v in ipairs(redis.call('HGETALL', KEYS[3])) do out[#out + 1] = v end
end
return out
`)

/** One user's share on this node, as `sync` writes it. */
export interface ShareEntry {
  user: PublicUser
  sockets: number
  /** The count Redis last confirmed, when a write since failed; undefined: Redis's own field is right. */
  assumed?: number
  /**
   * 'present': a claim, written only if the user is in the room already (never announced).
   * 'present or warm': written only if the user is in the room already or the room's recent
   * history is warm (a sync with `snapshot: 'history'`). Else skipped.
   */
  condition?: WriteCondition
}

export type WriteCondition = 'present' | 'present or warm'

/** Each condition as SYNC's ARGV spells it (0: none). */
const CONDITION_ARG: Record<WriteCondition, number> = { present: 1, 'present or warm': 2 }

/** A user who appeared in the room (+1) or vanished from it (-1) by a sync; `count` is the room's user count after. */
export interface PresenceTransition {
  user: PublicUser
  delta: 1 | -1
  count: number
}

export interface SyncResult {
  transitions: PresenceTransition[]
  /** Users not written by their `condition`: they were not in the room (and the history was cold). */
  skipped: string[]
  /** With `snapshot`: the room's participants and state hash after the write. */
  participants?: PublicUser[]
  state?: Record<string, string>
  /** With `snapshot: 'history'`: the room's recent history, read in the same step; undefined when its cache is cold. */
  history?: ChatMessage[]
}

/** What a sync answers besides the transitions: nothing, participants and state, or those and the recent history. */
export type Snapshot = false | true | 'history'

/**
 * Removes the fields of one node's lives (field `<userId>|<nodeId>#<incarnation>`); answers the
 * count and the users who have no socket left anywhere.
 * ARGV: nodeId, the incarnation to remove ('': every one), the incarnation to keep ('': none).
 */
const REAP = new LuaScript(`${LUA_USERS}
local gone = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local u, member = string.match(f, '^(.*)|([^|]*)$')
  if u then
    local node, life = string.match(member, '^(.*)#([^#]*)$')
    if not node then node, life = member, '' end
    if node == ARGV[1] and (ARGV[2] == '' or life == ARGV[2]) and (ARGV[3] == '' or life ~= ARGV[3]) then
      redis.call('HDEL', KEYS[1], f)
      gone[#gone + 1] = u
    end
  end
end
local set, n = users(KEYS[1])
local out = {n}
for _, u in ipairs(gone) do
  if not set[u] then
    set[u] = true
    out[#out + 1] = u
    out[#out + 1] = redis.call('HGET', KEYS[2], u) or ''
    redis.call('HDEL', KEYS[2], u)
    redis.call('HDEL', KEYS[3], '${HIGHLIGHT_PREFIX}' .. u)
  end
end
return out
`)

/** A new life's incarnation: short, and never the same twice in practice. */
export function newIncarnation(): string {
  return randomBytes(6).toString('base64url')
}

/** Which lives of a node a reap removes: one incarnation, or all but one, or (neither given) all. */
export interface ReapScope {
  only?: string
  keep?: string
}

/**
 * Writes one node's share of a room back: its users' socket counts (as they are: the node's own
 * fields) and the state fields it last knew, each only where Redis has none (a newer value written
 * by another node meanwhile wins).
 * ARGV: the node's member (`<nodeId>#<incarnation>`), user count, then userId, name, sockets per user, then state field, value pairs.
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
  /** What this life of the node writes after the `|` of its fields. */
  private readonly member: string

  constructor(
    private readonly redis: RedisClient,
    private readonly nodeId: string,
    /**
     * Drawn at each start (`newIncarnation`): the fields of a previous life of the node id are not
     * this one's. Tests and tools may leave it out: fields are then `<userId>|<nodeId>`.
     */
    readonly incarnation?: string,
  ) {
    this.member = presenceMember(nodeId, incarnation)
  }

  /** Rooms this node has added to its room set (RedisKeys.nodeRooms) and not removed since. */
  private readonly listed = new Set<string>()

  /*
   * The node's room set (RedisKeys.nodeRooms) lives in another Redis Cluster slot than the room's
   * keys, so no script may touch both. Instead `join` and `leave` send the set's SADD/SREM and the
   * room's script in the same tick on the one connection, decided by the node's own membership at
   * that moment: Redis applies them in the order the node decided them, so a leave that emptied
   * the room here can never remove a room that a later join on this node added back.
   * The set is written before the script on a join and after it on a leave, so a reaper always
   * finds every room in which this node may have presence.
   */

  /**
   * Writes the node's share of a room for the users listed (`full`: and removes its fields of
   * everyone else), with the node's room set updated in the same tick: added before the script
   * while the node has participants there, removed after it once it has none.
   */
  async sync(
    roomId: string,
    entries: ShareEntry[],
    options: { full: boolean; snapshot: Snapshot; hasLocal: boolean },
  ): Promise<SyncResult> {
    const keys = [RedisKeys.presence(roomId), RedisKeys.names(roomId), RedisKeys.state(roomId), RedisKeys.recent(roomId)]
    const snapshot = options.snapshot === 'history' ? 2 : options.snapshot ? 1 : 0
    const args: (string | number)[] = [this.member, options.full ? 1 : 0, snapshot, entries.length]
    for (const { user, sockets, assumed, condition } of entries)
      args.push(user.id, user.name, sockets, assumed ?? -1, condition ? CONDITION_ARG[condition] : 0)
    const nodeRooms = RedisKeys.nodeRooms(this.nodeId)
    // A room this node added to its set and has not removed since is there: not added again,
    // except by a full write (anti-entropy repairs the set too).
    const add = options.hasLocal && (options.full || !this.listed.has(roomId))
    if (options.hasLocal) this.listed.add(roomId)
    else this.listed.delete(roomId)
    const [, reply] = await Promise.all([
      add ? this.redis.sadd(nodeRooms, roomId).catch(this.unlisted(roomId)) : undefined,
      SYNC.run(this.redis, keys, args),
      options.hasLocal ? undefined : this.redis.srem(nodeRooms, roomId),
    ])
    return parseSync(reply as (string | number)[], snapshot)
  }

  /** Forgets which rooms the node's set holds: it was reaped (or Redis lost it), the next writes add them again. */
  forgetListed(): void {
    this.listed.clear()
  }

  /** An SADD that failed: its room is not known to be in the set any more; the error is the write's. */
  private unlisted(roomId: string) {
    return (err: unknown) => {
      this.listed.delete(roomId)
      throw err
    }
  }

  /** One socket of the user here (tests and tools: the gateway itself writes through `sync`). */
  async join(roomId: string, user: PublicUser): Promise<SyncResult> {
    return this.sync(roomId, [{ user, sockets: 1 }], { full: false, snapshot: false, hasLocal: true })
  }

  /** Removes a (dead) node's participants from a room, of the lives `scope` says; answers who left the room entirely. */
  async reap(roomId: string, nodeId: string, scope: ReapScope = {}): Promise<{ count: number; left: PublicUser[] }> {
    const keys = [RedisKeys.presence(roomId), RedisKeys.names(roomId), RedisKeys.state(roomId)]
    const args = [nodeId, scope.only ?? '', scope.keep ?? '']
    const [count, ...flat] = (await REAP.run(this.redis, keys, args)) as [number, ...string[]]
    const left: PublicUser[] = []
    for (let i = 0; i + 1 < flat.length; i += 2) left.push({ id: flat[i]!, name: flat[i + 1]! })
    return { count, left }
  }

  /**
   * Writes this node's own presence back as it is (idempotent), with the rooms' state as this node
   * last knew it, after Redis lost its data or this node was reaped while it was still alive.
   */
  async restore(rooms: LocalRooms, stateOf: (roomId: string) => [string, string][]): Promise<void> {
    if (rooms.size === 0) return
    for (const roomId of rooms.keys()) this.listed.add(roomId)
    const writes: Promise<unknown>[] = [this.redis.sadd(RedisKeys.nodeRooms(this.nodeId), ...rooms.keys())]
    for (const [roomId, users] of rooms) {
      const args: (string | number)[] = [this.member, users.size]
      for (const [userId, { name, sockets }] of users) args.push(userId, name, sockets)
      for (const [field, value] of stateOf(roomId)) args.push(field, value)
      const keys = [RedisKeys.presence(roomId), RedisKeys.names(roomId), RedisKeys.state(roomId)]
      writes.push(RESTORE.run(this.redis, keys, args))
    }
    await Promise.all(writes).catch((err: unknown) => {
      this.forgetListed()
      throw err
    })
  }
}

function parseSync(reply: (string | number)[], snapshot: 0 | 1 | 2): SyncResult {
  const transitions: PresenceTransition[] = []
  let i = 1
  for (let k = 0; k < Number(reply[0]); k++, i += 4) {
    transitions.push({
      user: { id: String(reply[i]), name: String(reply[i + 3]) },
      delta: Number(reply[i + 1]) > 0 ? 1 : -1,
      count: Number(reply[i + 2]),
    })
  }
  const skipped: string[] = []
  for (let k = Number(reply[i++]); k > 0; k--) skipped.push(String(reply[i++]))
  if (snapshot === 0) return { transitions, skipped }
  const participants: PublicUser[] = []
  const total = Number(reply[i++])
  for (let k = 0; k < total; k++, i += 2) participants.push({ id: String(reply[i]), name: String(reply[i + 1]) })
  let history: ChatMessage[] | undefined
  if (snapshot === 2) {
    const messages = Number(reply[i++])
    if (messages >= 0) history = recentFromReply(reply.slice(i, i + messages).map(String))
    i += Math.max(messages, 0)
  }
  const state: Record<string, string> = {}
  for (; i + 1 < reply.length; i += 2) state[String(reply[i])] = String(reply[i + 1])
  return { transitions, skipped, participants, state, history }
}
