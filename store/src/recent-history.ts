import { type ChatMessage, HISTORY_LIMIT } from '@hangout/protocol'
import type { Cluster, Redis } from 'ioredis'
import { messageFromDoc, RedisKeys } from './layout.js'
import { LuaScript } from './lua.js'
import type { MessagesStore } from './messages.js'

/** A room's cache outlives its last write by a day; a room used again after that is warmed again. */
const TTL_SECONDS = 86_400

/**
 * Shared Lua. The cache is a ZSET (score = seq), not a list: batches of different nodes are stored
 * in any order, the score keeps them in seq order. It is warm (holds the room's latest messages)
 * only while it holds, at score 0, the mark `warm:<run_id>` of the Redis server answering: a
 * server restarted from an older snapshot, or a replica promoted, has another run_id, so a cache it
 * brought back is never taken as current. A version of a message replaces another unless that one
 * is later (edited after it, or deleted: a deletion is final).
 */
const LIB = `
local function mark()
  return 'warm:' .. string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
end
local function rank(json)
  local m = cjson.decode(json)
  if m.deleted then return math.huge end
  return tonumber(m.editedAt) or 0
end
local function put(key, seq, json, replace)
  local old = redis.call('ZRANGEBYSCORE', key, seq, seq)
  if old[1] and (not replace or rank(old[1]) > rank(json)) then return end
  redis.call('ZREMRANGEBYSCORE', key, seq, seq)
  redis.call('ZADD', key, seq, json)
end
local function trim(key)
  local n = redis.call('ZCARD', key)
  local marks = redis.call('ZCOUNT', key, 0, 0)
  if n - marks > ${HISTORY_LIMIT} then redis.call('ZREMRANGEBYRANK', key, marks, n - ${HISTORY_LIMIT} - 1) end
  redis.call('EXPIRE', key, ${TTL_SECONDS})
end
`

/**
 * Lua for scripts of other owners that read a room's recent history in the same step (the join's
 * presence script): `recent(key)` answers the messages (JSON, ascending seq) when warm, else false.
 * Decode what it answers with `recentFromReply`.
 */
export const LUA_RECENT = `${LIB}
local function recent(key)
  local all = redis.call('ZRANGE', key, 0, -1)
  if all[1] ~= mark() then return false end
  table.remove(all, 1)
  return all
end
`

/** The messages (JSON, ascending seq) when warm, else false. */
const READ = new LuaScript(`${LUA_RECENT}
return recent(KEYS[1])
`)

/** The messages of a warm cache as `recent(key)` answered them (JSON, ascending seq). */
export function recentFromReply(jsons: string[]): ChatMessage[] {
  return jsons.map((json) => JSON.parse(json) as ChatMessage)
}

/**
 * A history page, ARGV[1] messages with seq < ARGV[2] ('' for the latest), newest first, when the
 * warm cache holds it, else false. A warm cache holds every stored message from its lowest seq up
 * (a trim drops the lowest), so the page is in it when it has ARGV[1] messages below ARGV[2], or
 * when it holds fewer than ${HISTORY_LIMIT} messages in all (never trimmed: the whole room).
 */
const PAGE = new LuaScript(`${LIB}
local marks = redis.call('ZRANGEBYSCORE', KEYS[1], 0, 0)
if marks[1] ~= mark() then return false end
local limit = tonumber(ARGV[1])
local top = ARGV[2] == '' and '+inf' or '(' .. ARGV[2]
local page = redis.call('ZREVRANGEBYSCORE', KEYS[1], top, '(0', 'LIMIT', 0, limit)
if #page == limit or redis.call('ZCARD', KEYS[1]) - #marks < ${HISTORY_LIMIT} then return page end
return false
`)

/**
 * ARGV pairs seq, JSON from ARGV[#KEYS + 2]. ARGV[1] 'store': newly stored messages, added where
 * their seq is absent. 'warm': the room's latest from MongoDB, each replacing an older version, then
 * marked warm. 'replace': an edited or deleted version. KEYS[2..] (with 'store'): the room's `sent`
 * keys, set to ARGV[3..] with a TTL of ARGV[2] s.
 */
const WRITE = new LuaScript(`${LIB}
local mode = ARGV[1]
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[2]) end
for i = #KEYS + 2, #ARGV, 2 do put(KEYS[1], ARGV[i], ARGV[i + 1], mode ~= 'store') end
if mode == 'warm' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, 0)
  redis.call('ZADD', KEYS[1], 0, mark())
end
trim(KEYS[1])
return 1
`)

/** A user's message stored under its clientId, for the idempotency fast path (`RedisKeys.sent`). */
export interface SentEntry {
  userId: string
  clientId: string
  message: ChatMessage
}

/** How long a stored clientId answers from Redis; after that the unique index still answers. */
export const SENT_TTL_SECONDS = 600

/**
 * The latest messages of each room in Redis, so that a join (and a history page within them) reads
 * no MongoDB while the room is warm. Written when a batch is stored and when a message is edited or
 * deleted; warmed from MongoDB on a miss. Writes never wait for warmth, so a message stored while a
 * join warms the cache is in it either way.
 */
export class RecentHistory {
  private readonly warming = new Map<string, Promise<ChatMessage[]>>()

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly messages: MessagesStore,
  ) {}

  /** The room's latest messages, ascending seq: from Redis when warm, else from MongoDB (and warms Redis). */
  async read(roomId: string): Promise<ChatMessage[]> {
    const cached = await this.readWarm(roomId)
    if (cached) return cached
    const warming = this.warming.get(roomId)
    if (warming) {
      // Another read's warm-up began before this one: what it read may predate this caller (a join
      // that must miss no message), so the cache it leaves is read again.
      await warming.catch(() => undefined)
      const warmed = await this.readWarm(roomId)
      if (warmed) return warmed
    }
    return this.warm(roomId)
  }

  private async readWarm(roomId: string): Promise<ChatMessage[] | undefined> {
    const cached = (await READ.run(this.redis, [RedisKeys.recent(roomId)], [])) as string[] | null
    return cached ? recentFromReply(cached) : undefined
  }

  /** Reads the room's latest from MongoDB into the cache; the reads that find it cold meanwhile wait for this one. */
  private warm(roomId: string): Promise<ChatMessage[]> {
    const run = (async () => {
      const messages = (await this.messages.page(roomId, undefined, HISTORY_LIMIT)).map(messageFromDoc)
      await this.write(roomId, 'warm', messages)
      return messages
    })()
    this.warming.set(roomId, run)
    const forget = () => {
      if (this.warming.get(roomId) === run) this.warming.delete(roomId)
    }
    run.then(forget, forget)
    return run
  }

  /**
   * Up to `limit` messages with seq < before (or the latest), ascending: from Redis when the warm
   * cache holds that page, else from MongoDB (a page of the latest warms the cache).
   */
  async page(roomId: string, before: number | undefined, limit: number): Promise<ChatMessage[]> {
    const cached = await this.cachedPage(roomId, before, limit)
    if (cached) return cached
    const messages = (await this.messages.page(roomId, before, limit)).map(messageFromDoc)
    if (before === undefined && limit >= HISTORY_LIMIT) await this.write(roomId, 'warm', messages.slice(-HISTORY_LIMIT))
    return messages
  }

  /** The page from Redis, or undefined when the warm cache does not hold it (cold, or older than the cached window). */
  async cachedPage(roomId: string, before: number | undefined, limit: number): Promise<ChatMessage[] | undefined> {
    const newestFirst = (await PAGE.run(this.redis, [RedisKeys.recent(roomId)], [limit, before ?? ''])) as string[] | null
    return newestFirst?.reverse().map((json) => JSON.parse(json) as ChatMessage)
  }

  /** Adds newly stored messages and sets the `sent` keys of the clientIds stored (one script call per room). */
  async addStored(messages: ChatMessage[], sent: SentEntry[] = []): Promise<void> {
    const rooms = new Map<string, { messages: ChatMessage[]; sent: SentEntry[] }>()
    const room = (roomId: string) => {
      const known = rooms.get(roomId)
      if (known) return known
      const entry = { messages: [] as ChatMessage[], sent: [] as SentEntry[] }
      rooms.set(roomId, entry)
      return entry
    }
    for (const message of messages) room(message.roomId).messages.push(message)
    for (const entry of sent) room(entry.message.roomId).sent.push(entry)
    await Promise.all([...rooms].map(([roomId, entry]) => this.write(roomId, 'store', entry.messages, entry.sent)))
  }

  /** Puts an edited or deleted message in place. */
  async replace(message: ChatMessage): Promise<void> {
    await this.write(message.roomId, 'replace', [message])
  }

  /** A room just created holds no message: its cache starts warm and empty, so its first join reads no MongoDB. */
  async startEmpty(roomId: string): Promise<void> {
    await this.write(roomId, 'warm', [])
  }

  /** Drops rooms' caches (after a write to them failed, the cache may miss a stored message). */
  async forget(roomIds: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(roomIds)].map((roomId) => this.redis.del(RedisKeys.recent(roomId))))
  }

  private async write(
    roomId: string,
    mode: 'store' | 'warm' | 'replace',
    messages: ChatMessage[],
    sent: SentEntry[] = [],
  ): Promise<void> {
    const keys = [RedisKeys.recent(roomId), ...sent.map((s) => RedisKeys.sent(roomId, s.userId, s.clientId))]
    const pairs = messages.flatMap((message) => [message.seq, JSON.stringify(message)])
    const values = sent.map((s) => JSON.stringify(s.message))
    await WRITE.run(this.redis, keys, [mode, SENT_TTL_SECONDS, ...values, ...pairs])
  }
}
