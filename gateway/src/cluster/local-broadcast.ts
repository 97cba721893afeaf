import type { Counter } from 'prom-client'
import type { ServerOptions } from 'socket.io'
import type { RoomSharing } from './room-sharing.js'

type AdapterFactory = NonNullable<ServerOptions['adapter']>
/** The part of socket.io-adapter's BroadcastOptions read here. */
interface BroadcastOptions {
  rooms: Set<string>
  flags?: { local?: boolean }
}
interface Broadcasting {
  broadcast(packet: unknown, opts: BroadcastOptions): unknown
}

/**
 * Wraps an adapter factory: a broadcast to one room that no other node has members in takes the
 * adapter's local path (Socket.IO's `local` flag), so it is neither published nor echoed back.
 * Everything else (several rooms, a user's room, a room that is shared or not known yet) is published.
 */
export function localWhenAlone(make: AdapterFactory, sharing: RoomSharing, counted: Counter<'path'>): AdapterFactory {
  const local = counted.labels('local')
  const cluster = counted.labels('cluster')
  // Socket.IO calls the factory with `new`: a function, not an arrow.
  return function (this: unknown, nsp: unknown) {
    const adapter = new (make as unknown as new (nsp: unknown) => Broadcasting)(nsp)
    const broadcast = adapter.broadcast.bind(adapter)
    adapter.broadcast = (packet: unknown, opts: BroadcastOptions) => {
      if (opts.rooms.size !== 1 || opts.flags?.local) return broadcast(packet, opts)
      const [roomId] = opts.rooms
      if (roomId !== undefined && sharing.alone(roomId)) {
        local.inc()
        return broadcast(packet, { ...opts, flags: { ...opts.flags, local: true } })
      }
      cluster.inc()
      return broadcast(packet, opts)
    }
    return adapter
  } as unknown as AdapterFactory
}
