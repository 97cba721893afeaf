import { LuaScript, RedisKeys } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'

/**
 * Takes `ARGV[1]` seqs for a room in one atomic step, after looking up the messages already stored
 * under their clientIds (KEYS[2..]: `sent` keys; those found need no seq). A missing counter is set
 * to ARGV[2] first (SET NX: however many nodes race, the room is seeded once); without a seed it
 * answers -1 and takes nothing. Every allocation renews the counter's idle expiry (ARGV[3] ms). Answers {last seq (or -1), JSON found or '' for each KEYS[2..]}.
 */
const ALLOCATE = new LuaScript(`
local out, found = {0}, 0
for i = 2, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v then found = found + 1; out[i] = v else out[i] = '' end
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[2] == '' then out[1] = -1; return out end
  redis.call('SET', KEYS[1], ARGV[2])
end
out[1] = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]) - found)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return out
`)

/** Raises the counter to at least ARGV[1] (a stale counter, as after restoring an older snapshot). */
const RAISE = new LuaScript(`
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1
`)

export interface Allocation {
  /** The last seq taken: the messages that need one get last − n + 1 … last, in order; -1 when the counter is missing. */
  last: number
  /** Per clientId looked up: the stored message's JSON, or undefined. */
  found: (string | undefined)[]
}

/** A room's chat counter in Redis. */
export class SeqCounter {
  constructor(
    private readonly redis: RedisClient,
    /** An idle room's counter expires after this long; it is seeded again from MongoDB. */
    private readonly idleTtlMs: number,
  ) {}

  /** `count` messages, of which those with `clientIds[i]` are looked up first; `seed` for a missing counter. */
  async allocate(roomId: string, userIds: string[], clientIds: (string | undefined)[], seed?: number): Promise<Allocation> {
    const keys = [RedisKeys.seq(roomId)]
    const looked: number[] = []
    clientIds.forEach((clientId, i) => {
      if (clientId === undefined) return
      keys.push(RedisKeys.sent(roomId, userIds[i]!, clientId))
      looked.push(i)
    })
    const reply = (await ALLOCATE.run(this.redis, keys, [clientIds.length, seed ?? '', this.idleTtlMs])) as (number | string)[]
    const found: (string | undefined)[] = clientIds.map(() => undefined)
    looked.forEach((i, k) => {
      const value = reply[k + 1]
      if (typeof value === 'string' && value !== '') found[i] = value
    })
    return { last: Number(reply[0]), found }
  }

  async raise(roomId: string, atLeast: number): Promise<void> {
    await RAISE.run(this.redis, [RedisKeys.seq(roomId)], [atLeast, this.idleTtlMs])
  }
}
