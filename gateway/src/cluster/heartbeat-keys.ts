import { NODE_HEARTBEAT_MIRRORS, RedisKeys } from '@hangout/store'
import { type RedisClient, slotMaster } from '@hangout/runtime'

/**
 * Where a node's heartbeat lives: under its `{nodeId}` slot with the rest of its keys, and again as
 * a mirror in the first candidate slot that another master serves, as this client sees the
 * topology (on one Redis, candidate 1). A shard that fails over takes longer than NODE_TTL_MS at
 * times (the master's timeout, an election), and its promoted replica then holds an expired key:
 * with the mirror on another shard, still written every beat, the node does not look dead. Every
 * node computes the pair from its own view of the topology; a reader whose view lags (a reshard
 * under way) may read another candidate than the one written, and only loses the mirror's help:
 * a node is dead when neither key it reads exists.
 */
export function heartbeatKeys(redis: RedisClient, nodeId: string): { heartbeat: string; mirror: string } {
  const heartbeat = RedisKeys.nodeHeartbeat(nodeId)
  const first = RedisKeys.nodeHeartbeatMirror(nodeId, 1)
  const master = slotMaster(redis, heartbeat)
  if (master === '') return { heartbeat, mirror: first }
  for (let candidate = 1; candidate <= NODE_HEARTBEAT_MIRRORS; candidate++) {
    const mirror = RedisKeys.nodeHeartbeatMirror(nodeId, candidate)
    if (slotMaster(redis, mirror) !== master) return { heartbeat, mirror }
  }
  // Every candidate on the same master (a one-master cluster, or a very unlucky layout).
  return { heartbeat, mirror: first }
}

/** Every key a node's heartbeat may be written under (a test that makes a node look dead removes them all). */
export function everyHeartbeatKey(nodeId: string): string[] {
  return [
    RedisKeys.nodeHeartbeat(nodeId),
    ...Array.from({ length: NODE_HEARTBEAT_MIRRORS }, (_, i) => RedisKeys.nodeHeartbeatMirror(nodeId, i + 1)),
  ]
}
