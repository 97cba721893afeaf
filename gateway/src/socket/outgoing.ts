import type { GatewaySocket } from './types.js'

/** What a queued packet costs beyond its data (the packet object, its slot in the buffer). */
const PACKET_OVERHEAD_BYTES = 64
/** An encoded Socket.IO packet to the main namespace starts with its type: EVENT 2, BINARY_EVENT 5 (acks 3 and 6). */
const SOCKET_IO_EVENT = 50
const SOCKET_IO_BINARY_EVENT = 53

/** An engine.io packet as its `packetCreate` event gives it. */
interface Packet {
  type?: string
  data?: unknown
}

function packetBytes(data: unknown): number {
  const size =
    typeof data === 'string' ? data.length : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0
  return PACKET_OVERHEAD_BYTES + size
}

export interface OutgoingWatch {
  /** The queue a socket may have before it is dropped. */
  maxQueuedBytes: number
  /** The socket was dropped for not reading. */
  onSlow: () => void
  /** One event (not an ack) was queued for the socket: a delivery. */
  onEvent: () => void
}

/**
 * Watches what a socket is sent, through engine.io's public `packetCreate` and `flush` events (one
 * listener for every packet: the cheapest place to look at each delivery).
 *
 * Deliveries: every Socket.IO event packet counts one, whichever node broadcast it.
 *
 * Slow clients must not grow the node's memory without bound. Engine.io queues a socket's packets
 * while its transport cannot write (the client does not read, so the kernel's buffers are full);
 * `packetCreate` and `flush` say how much waits. A socket whose queue passes `maxQueuedBytes` is
 * dropped at once, its queue discarded rather than drained; its client reconnects and gets a fresh
 * snapshot (history and state) on join.
 */
export function watchOutgoing(socket: GatewaySocket, { maxQueuedBytes, onSlow, onEvent }: OutgoingWatch): void {
  let queued = 0
  let dropping = false
  socket.conn.on('flush', () => {
    queued = 0
  })
  socket.conn.on('packetCreate', (packet: Packet) => {
    const { data } = packet
    if (packet.type === 'message' && typeof data === 'string') {
      const type = data.charCodeAt(0)
      if (type === SOCKET_IO_EVENT || type === SOCKET_IO_BINARY_EVENT) onEvent()
    }
    queued += packetBytes(data)
    if (queued <= maxQueuedBytes || dropping) return
    dropping = true
    // Not from inside engine.io's send path: drop it once the current broadcast is done.
    setImmediate(() => {
      onSlow()
      socket.disconnect(true)
      // A plain close waits for the queue to drain, which a client that does not read never lets happen.
      socket.conn.close(true)
    })
  })
}
