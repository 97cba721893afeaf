import type { GatewaySocket } from './types.js'

/** What a queued packet costs beyond its data (the packet object, its slot in the buffer). */
const PACKET_OVERHEAD_BYTES = 64

/** An engine.io packet as its `packetCreate` event gives it. */
interface Packet {
  data?: unknown
}

function packetBytes(packet: Packet): number {
  const { data } = packet
  const size =
    typeof data === 'string' ? data.length : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0
  return PACKET_OVERHEAD_BYTES + size
}

/**
 * Slow clients must not grow the node's memory without bound. Engine.io queues a socket's packets
 * while its transport cannot write (the client does not read, so the kernel's buffers are full);
 * its public `packetCreate` and `flush` events say how much waits. A socket whose queue passes
 * `maxQueuedBytes` is dropped at once, its queue discarded rather than drained; its client
 * reconnects and gets a fresh snapshot (history and state) on join.
 */
export function watchBackpressure(socket: GatewaySocket, maxQueuedBytes: number, onSlow: () => void): void {
  let queued = 0
  let dropping = false
  socket.conn.on('flush', () => {
    queued = 0
  })
  socket.conn.on('packetCreate', (packet: Packet) => {
    queued += packetBytes(packet)
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
