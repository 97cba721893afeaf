import { ROOM_ID_PATTERN } from '@hangout/protocol'
import { RedisKeys } from '@hangout/store'
import { isRedisCluster, type RedisClient } from '@hangout/runtime'
import type { RoomSharing } from '../cluster/room-sharing.js'
import type { GatewayServer } from '../socket/types.js'

/**
 * Resolves once this node receives the room's broadcasts from other nodes. The sharded adapter
 * subscribes to a room's channel when the room's first local socket joins, without waiting for
 * Redis: a join that read the history before the subscription took hold could miss a message
 * published in between. So the adapter's own SSUBSCRIBE is caught as it is sent
 * (`catchSubscribes`) and the join waits for Redis's answer to it, without a second SSUBSCRIBE.
 * The answer is kept while the room has local sockets (the adapter unsubscribes when the last one
 * goes, `delete-room`): only the room's first join here waits for Redis. Once subscribed, the node
 * tells the others it is in the room (`RoomSharing.announce`) and waits for their answers, so that
 * every node publishes the room's broadcasts before this join completes.
 */
const SUBSCRIBE_TIMEOUT_MS = 2000
const ROOM_ID = new RegExp(ROOM_ID_PATTERN)

export function roomSubscription(sub: RedisClient, io: GatewayServer, sharing: RoomSharing): (roomId: string) => Promise<void> {
  const subscribed = new Map<string, Promise<void>>()
  const sent = catchSubscribes(sub)
  const adapter = io.of('/').adapter
  adapter.on('delete-room', (roomId: string) => {
    subscribed.delete(roomId)
    sent.delete(roomChannel(roomId))
  })
  // Redis went away: the subscriptions are being made again, wait for them anew.
  let lost = false
  sub.on('close', () => {
    subscribed.clear()
    sent.clear()
    lost = true
  })
  const joined = (roomId: string) => {
    const known = subscribed.get(roomId)
    if (known) return known
    const done = subscribe(sub, roomId, sent).then(() => sharing.announce(roomId))
    subscribed.set(roomId, done)
    // A failed subscription is not kept: the next join asks again.
    done.catch(() => {
      if (subscribed.get(roomId) === done) subscribed.delete(roomId)
    })
    return done
  }
  // Back: the rooms this node still serves announce themselves again, or they stay shared for good.
  sub.on('ready', () => {
    if (!lost) return
    lost = false
    for (const roomId of adapter.rooms.keys())
      if (ROOM_ID.test(roomId) && !adapter.sids.has(roomId)) joined(roomId).catch(() => undefined)
  })
  return joined
}

export const roomChannel = RedisKeys.adapterRoomChannel

type Subscribe = (...channels: unknown[]) => Promise<unknown>

/**
 * Keeps the answer to each single-channel SSUBSCRIBE sent on `sub` (the adapter's, or the client's
 * own after a reconnect), by channel, until the caller deletes it.
 */
function catchSubscribes(sub: RedisClient): Map<string, Promise<unknown>> {
  const sent = new Map<string, Promise<unknown>>()
  const client = sub as unknown as { ssubscribe: Subscribe }
  const ssubscribe = client.ssubscribe.bind(sub)
  client.ssubscribe = (...args: unknown[]) => {
    const answer = ssubscribe(...args)
    if (args.length === 1 && typeof args[0] === 'string') sent.set(args[0], answer)
    return answer
  }
  return sent
}

/**
 * On a Redis Cluster, an SSUBSCRIBE that reaches a master which no longer owns the channel's slot
 * (a reshard this node's topology has not caught up with) is answered MOVED, and ioredis 5 drops
 * it without ever settling it: past this long without an answer, refresh the topology and ask again
 * (SSUBSCRIBE twice is harmless; the first answer wins).
 */
const RESUBSCRIBE_MS = 300

function subscribe(sub: RedisClient, roomId: string, sent: Map<string, Promise<unknown>>): Promise<void> {
  const channel = roomChannel(roomId)
  // The adapter's SSUBSCRIBE of the room, sent when its first local socket joined, is the one to
  // wait for; taken once, so that a failed one is asked again by the next join.
  let first = sent.get(channel)
  sent.delete(channel)
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (err?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearInterval(again)
      if (err === undefined) resolve()
      else reject(err)
    }
    // The subscriber connection waits for Redis to come back rather than fail: bound the wait.
    const timer = setTimeout(
      () => settle(new Error(`room ${roomId}: no subscription within ${SUBSCRIBE_TIMEOUT_MS} ms`)),
      SUBSCRIBE_TIMEOUT_MS,
    )
    const ask = () => {
      const answer = first ?? sub.ssubscribe(channel)
      first = undefined
      answer.then(() => settle(), settle)
    }
    const again = isRedisCluster(sub)
      ? setInterval(() => sub.refreshSlotsCache(() => settled || ask()), RESUBSCRIBE_MS)
      : undefined
    ask()
  })
}
