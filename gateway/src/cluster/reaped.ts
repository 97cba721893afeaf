import type { Logger } from '@hangout/runtime'
import type { GatewayServer } from '../socket/types.js'
import { tellToReconnect } from './drain.js'
import type { Membership } from '../presence/membership.js'
import type { Metrics } from '../metrics.js'

/**
 * This node was reaped while alive (frozen or cut off past its TTL): the others removed its presence
 * and told the rooms its users left. Its sockets' presence must never come back by itself: the node
 * forgets its counts, removes anything it wrote since, then sends every socket away to reconnect
 * and join again (which announces them properly). Sockets whose clients already gave up are simply closed.
 */
export async function recoverFromReap(
  io: GatewayServer,
  membership: Membership,
  reapOwn: () => Promise<void>,
  metrics: Metrics,
  log: Logger,
): Promise<void> {
  membership.reset()
  const sockets = [...io.of('/').sockets.values()]
  // Their disconnects must not take counts out of Redis that the reaper already removed.
  const joined = sockets.map((socket) => {
    const rooms = new Set(socket.data.joined)
    socket.data.joined.clear()
    return rooms
  })
  // Reap first, then close: a client is never told to go while presence of it written meanwhile remains.
  await reapOwn()
  sockets.forEach((socket, i) => {
    // Rooms joined during the reap are in `joined` again, counted anew: the disconnect takes them out.
    tellToReconnect(socket, [...(joined[i] ?? []), ...socket.data.joined])
    socket.disconnect(true)
  })
  metrics.disconnects.inc({ reason: 'reaped' }, sockets.length)
  log.error({ sockets: sockets.length }, 'this node was reaped while alive: presence dropped, sockets sent to reconnect')
}
