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
