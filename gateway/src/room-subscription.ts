import { RedisKeys } from '@hangout/protocol'
import type { Redis } from 'ioredis'
import type { GatewayConfig } from './config.js'

/**
 * Resolves once this node receives the room's broadcasts from other nodes. The sharded adapter
 * subscribes to a room's channel when the room's first local socket joins, without waiting for
 * Redis: a join that read the history before the subscription took hold could miss a message
 * published in between. Redis answers one connection's commands in order, so once our SSUBSCRIBE
 * of the same channel is acknowledged, the adapter's is in force too.
 */
const SUBSCRIBE_TIMEOUT_MS = 2000

export function roomSubscription(config: GatewayConfig, sub: Redis): (roomId: string) => Promise<void> {
  if (config.adapter !== 'sharded') return async () => {}
  return (roomId) =>
    new Promise((resolve, reject) => {
      // The subscriber connection waits for Redis to come back rather than fail: bound the wait.
      const timer = setTimeout(
        () => reject(new Error(`room ${roomId}: no subscription within ${SUBSCRIBE_TIMEOUT_MS} ms`)),
        SUBSCRIBE_TIMEOUT_MS,
      )
      sub.ssubscribe(`${RedisKeys.adapterPrefix}#/#${roomId}#`).then(
        () => {
          clearTimeout(timer)
          resolve()
        },
        (err: unknown) => {
          clearTimeout(timer)
          reject(err)
        },
      )
    })
}
