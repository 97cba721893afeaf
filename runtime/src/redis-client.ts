import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { ConfigError } from './env-config.js'
import { withTimeout } from './with-timeout.js'

/**
 * Every Redis connection of every service: one server (`REDIS_URL`) or a Redis Cluster
 * (`REDIS_CLUSTER_NODES`). Each command, transaction, pipeline and script of Hangout touches one
 * hash slot, so the two answer alike.
 */
export type RedisClient = Redis | Cluster

/** Where Redis is: one server, or the seed nodes of a Redis Cluster (the client learns the rest). */
export type RedisTarget = { kind: 'single'; url: string } | { kind: 'cluster'; nodes: { host: string; port: number }[] }

/** The target from REDIS_URL and REDIS_CLUSTER_NODES (`host:port,host:port,...`), which wins when set. */
export function redisTarget(url: string, clusterNodes: string | undefined): RedisTarget {
  if (clusterNodes === undefined || clusterNodes.trim() === '') return { kind: 'single', url }
  const nodes = clusterNodes.split(',').map((entry) => {
    const match = /^\s*([^\s:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(entry)
    const port = Number(match?.[2])
    if (!match || port < 1 || port > 65535)
      throw new ConfigError(`config: REDIS_CLUSTER_NODES (${JSON.stringify(clusterNodes)}) must be host:port,host:port,...`)
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port }
  })
  return { kind: 'cluster', nodes }
}

/** The target for logs and errors, without a password. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'single') return target.url.replace(/\/\/[^@/]*@/, '//***@')
  return `cluster ${target.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`
}

/**
 * A client for the target, not yet connected (`connect()` it). `options` are per connection
 * (timeouts, retries, offline queue); on a cluster they apply to each node's connection, and the
 * cluster client adds: sharded pub/sub (SSUBSCRIBE) on the shard that owns each channel's slot,
 * reads from masters only (a replica may lag: `scaleReads` stays 'master'), no address mapping.
 */
export function createRedisClient(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  if (target.kind === 'single') return new Redis(target.url, { ...options, lazyConnect: true })
  const { enableOfflineQueue, ...perNode } = options
  const cluster = new Cluster(target.nodes, {
    lazyConnect: true,
    shardedSubscribers: true,
    scaleReads: 'master',
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    // A failover takes the cluster's node timeout plus an election (seconds): commands meanwhile
    // are retried on the new topology a few times, then fail like a single Redis that went away.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    slotsRefreshTimeout: 2000,
    slotsRefreshInterval: 2000,
    redisOptions: perNode,
  })
  resubscribeWhenSlotsMove(cluster)
  return cluster
}

/** After a moved channel: at once, then again once the other masters have heard of the move (gossip). */
const SLOT_MOVE_REFRESHES_MS = [0, 250, 1000]

/**
 * A shard channel whose slot moves to another master: the old owner pushes SUNSUBSCRIBE for it.
 * ioredis 5 takes that push for a reply nobody asked for (a "Command queue state error" on the
 * node) and would subscribe again at the new owner only on its next periodic topology refresh,
 * so the channel would hear nothing for up to slotsRefreshInterval. A refresh now lets its
 * subscriber group subscribe again at once.
 */
function resubscribeWhenSlotsMove(cluster: Cluster): void {
  cluster.on('nodeError', (err: Error) => {
    if (!err.message.includes('Last reply: sunsubscribe,')) return
    for (const delay of SLOT_MOVE_REFRESHES_MS) setTimeout(() => cluster.refreshSlotsCache(), delay).unref()
  })
}

/** One shard of the cluster as CLUSTER SHARDS tells it. */
export interface RedisShard {
  /** host:port of its master ('' while it has none that is online). */
  master: string
  replicas: string[]
  slots: number
}

export interface RedisClusterHealth {
  /** cluster_state from CLUSTER INFO: 'ok' when every slot is served. */
  state: string
  shards: RedisShard[]
}

export function isRedisCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster
}

/** The cluster's state and shards, asked of a cluster client or of one node's own connection. */
export async function redisClusterHealth(redis: RedisClient): Promise<RedisClusterHealth> {
  const [info, shards] = await Promise.all([redis.cluster('INFO'), redis.call('CLUSTER', 'SHARDS')])
  const state = /cluster_state:(\w+)/.exec(String(info))?.[1] ?? 'unknown'
  return { state, shards: parseShards(shards) }
}

/**
 * For `/healthz`: on a Redis Cluster, its state and shards within `ms` (a cluster that cannot answer
 * in time is 'unreachable', which fails the check); undefined on one Redis.
 */
export function redisClusterHealthWithin(redis: RedisClient, ms: number): Promise<RedisClusterHealth> | undefined {
  if (!isRedisCluster(redis)) return undefined
  return withTimeout(redisClusterHealth(redis), ms).catch(() => ({ state: 'unreachable', shards: [] }))
}

/** CLUSTER SHARDS' reply: per shard, `slots` [start, end, ...] and `nodes` (each a flat list of field, value). */
export function parseShards(reply: unknown): RedisShard[] {
  const shards: RedisShard[] = []
  for (const entry of reply as unknown[][]) {
    const shard = pairs(entry)
    const ranges = (shard.slots as (number | string)[] | undefined) ?? []
    let slots = 0
    for (let i = 0; i + 1 < ranges.length; i += 2) slots += Number(ranges[i + 1]) - Number(ranges[i]) + 1
    let master = ''
    const replicas: string[] = []
    for (const raw of (shard.nodes as unknown[][] | undefined) ?? []) {
      const node = pairs(raw)
      const address = `${String(node.ip ?? node.endpoint)}:${String(node.port)}`
      if (node.health !== 'online') continue
      if (node.role === 'master') master = address
      else replicas.push(address)
    }
    shards.push({ master, replicas, slots })
  }
  return shards.filter((s) => s.slots > 0 || s.master !== '').sort((a, b) => a.master.localeCompare(b.master))
}

function pairs(list: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1]
  return out
}

/** Every master of the client (one for a single Redis): what a SCAN, INFO or FLUSH must visit one by one. */
export function redisMasters(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis]
}
