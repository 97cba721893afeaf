import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

/** A Lua script run by EVALSHA, falling back to EVAL when Redis does not know it (first use, or after a restart). */
export class LuaScript {
  private readonly sha: string

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return redis.eval(this.source, keys.length, ...keys, ...args)
    }
  }
}

/** Lua: the distinct users of a presence hash (field `<userId>|<nodeId>`), as a set and a count. */
export const LUA_USERS = `
local function users(key)
  local set, n = {}, 0
  for _, f in ipairs(redis.call('HKEYS', key)) do
    local u = string.match(f, '^(.*)|[^|]*$')
    if u and not set[u] then set[u] = true; n = n + 1 end
  end
  return set, n
end
`
