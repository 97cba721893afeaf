/** Redis's own counters (INFO), to count what a load costs Redis. */
import type { Redis } from 'ioredis'

/** INFO's text as `field → value` (all sections flat; comments and blank lines skipped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return fields
}

/** The `calls` of one command from INFO commandstats (`cmdstat_publish:calls=3,usec=...`); 0 if never called. */
export function commandCalls(info: Map<string, string>, command: string): number {
  const line = info.get(`cmdstat_${command.toLowerCase()}`)
  const match = line ? /(?:^|,)calls=(\d+)/.exec(line) : null
  return match ? Number(match[1]) : 0
}

export interface RedisCounters {
  /** PUBLISH + SPUBLISH calls: messages sent through Redis pub/sub. */
  published: number
  commands: number
  netInputBytes: number
  netOutputBytes: number
  /** CPU time of the Redis server (user + system), milliseconds. */
  cpuMs: number
}

export function countersOf(info: Map<string, string>): RedisCounters {
  const num = (field: string) => Number(info.get(field) ?? 0)
  return {
    published: commandCalls(info, 'publish') + commandCalls(info, 'spublish'),
    commands: num('total_commands_processed'),
    netInputBytes: num('total_net_input_bytes'),
    netOutputBytes: num('total_net_output_bytes'),
    cpuMs: (num('used_cpu_user') + num('used_cpu_sys')) * 1000,
  }
}

export async function readRedisCounters(redis: Redis): Promise<RedisCounters> {
  return countersOf(parseInfo(await redis.info('everything')))
}

export function diffCounters(before: RedisCounters, after: RedisCounters): RedisCounters {
  return {
    published: after.published - before.published,
    commands: after.commands - before.commands,
    netInputBytes: after.netInputBytes - before.netInputBytes,
    netOutputBytes: after.netOutputBytes - before.netOutputBytes,
    cpuMs: after.cpuMs - before.cpuMs,
  }
}
