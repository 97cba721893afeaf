import type { RedisClient } from '@hangout/runtime'

/** A real Redis Cluster (3 masters, 1 replica each, on free loopback ports) for tests, as the local cluster starts one. */
export { type RedisCluster, type RedisClusterOptions, startRedisCluster } from '@hangout/infra/redis-cluster'

/** The hash slot of a key or sharded channel, as the cluster itself computes it. */
export async function slotOf(redis: RedisClient, key: string): Promise<number> {
  return Number(await redis.cluster('KEYSLOT', key))
}

/** The master (host:port) serving a slot, as the cluster answers now. */
export async function masterOfSlot(redis: RedisClient, slot: number): Promise<string> {
  const ranges = await redis.cluster('SLOTS')
  const master = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]
  if (!master) throw new Error(`slot ${slot} unserved`)
  return `${master[0]}:${master[1]}`
}

/** The master (host:port) serving a key's or a sharded channel's slot. */
export async function masterOf(redis: RedisClient, key: string): Promise<string> {
  return masterOfSlot(redis, await slotOf(redis, key))
}
