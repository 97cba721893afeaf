import type { ServerOptions } from 'socket.io'
import { isUserRoom } from '../socket/user-room.js'

type AdapterFactory = NonNullable<ServerOptions['adapter']>
/** The sharded adapter's (8.3) test of whether a room gets a channel of its own in 'dynamic' mode. */
interface DynamicChannels {
  shouldUseASeparateNamespace(room: string): boolean
}

/**
 * Wraps the sharded adapter's factory: users' rooms get no channel. In 'dynamic' mode the adapter
 * SSUBSCRIBEs a channel for every room created on the node and SUNSUBSCRIBEs it when the room
 * empties; a user's room is created by each connection (user-room.ts), so that was a subscribe
 * and an unsubscribe per socket for a channel nothing is ever published to: user rooms are only
 * named in `except`, which every node applies to its own sockets.
 */
export function withoutUserChannels(make: AdapterFactory): AdapterFactory {
  // Socket.IO calls the factory with `new`: a function, not an arrow.
  return function (this: unknown, nsp: unknown) {
    const adapter = new (make as unknown as new (nsp: unknown) => DynamicChannels)(nsp)
    const separate = adapter.shouldUseASeparateNamespace
    if (typeof separate !== 'function') throw new Error('the sharded adapter no longer decides its dynamic channels here')
    adapter.shouldUseASeparateNamespace = (room) => !isUserRoom(room) && separate.call(adapter, room)
    return adapter
  } as unknown as AdapterFactory
}
