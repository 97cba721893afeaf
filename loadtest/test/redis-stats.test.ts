import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { commandCalls, countersOf, diffCounters, parseInfo, readRedisCounters } from '../src/redis-stats.js'

let redis: Redis

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
})
afterAll(() => redis.disconnect())

test('parses INFO lines and commandstats calls', () => {
  const info = parseInfo(
    '# Stats\r\ntotal_commands_processed:42\r\n\r\n# Commandstats\r\ncmdstat_publish:calls=7,usec=10,usec_per_call=1.43\r\ncmdstat_spublish:calls=3,usec=5\r\n',
  )
  expect(info.get('total_commands_processed')).toBe('42')
  expect(commandCalls(info, 'publish')).toBe(7)
  expect(commandCalls(info, 'SPUBLISH')).toBe(3)
  expect(commandCalls(info, 'get')).toBe(0)
  expect(countersOf(info)).toMatchObject({ published: 10, commands: 42 })
})

test('counts real publishes on a real Redis', async () => {
  const channel = `loadtest-stats-${randomBytes(6).toString('hex')}`
  const before = await readRedisCounters(redis)
  for (let i = 0; i < 5; i++) await redis.publish(channel, 'x')
  const delta = diffCounters(before, await readRedisCounters(redis))
  // The Redis is shared: others may publish too, never fewer.
  expect(delta.published).toBeGreaterThanOrEqual(5)
  expect(delta.commands).toBeGreaterThanOrEqual(5)
  expect(delta.netInputBytes).toBeGreaterThan(5 * channel.length)
})
