/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot'
import { isRedisCluster, type RedisClient } from './redis-client.js'

/**
 * The master serving the key's slot as the client last learnt the topology ("host:port"), or ''
 * on one Redis (every key on the same server) and on a cluster client that knows no topology yet.
 * The slot is computed the way ioredis routes commands (the same library).
 */
export function slotMaster(redis: RedisClient, key: string): string {
  if (!isRedisCluster(redis)) return ''
  return redis.slots[calculateSlot(key)]?.[0] ?? ''
}
