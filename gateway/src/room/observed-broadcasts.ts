import type { ServerToClientEvents } from '@hangout/protocol'

type Observer = <E extends keyof ServerToClientEvents>(event: E, payload: Parameters<ServerToClientEvents[E]>[0]) => void

/** The part of socket.io-adapter's Adapter read here: it encodes each broadcast once, before delivering it. */
interface EncodingAdapter {
  _encode(packet: { data?: unknown }, packetOptions: unknown): unknown
}

/**
 * Calls `observe` once for every broadcast this node delivers to its sockets: its own, and those
 * of other nodes that Redis brings. Every adapter (in-memory, classic, sharded) delivers both
 * through the in-memory Adapter's `broadcast`, which encodes the packet once with `_encode` (an
 * internal of socket.io-adapter 2.5, version pinned; the gateway's tests fail if it changes) and
 * then writes it to each socket. Once per broadcast, not once per recipient as `onAnyOutgoing` would be.
 */
export function observeBroadcasts(adapter: unknown, observe: Observer): void {
  const encoding = adapter as EncodingAdapter
  const encode = encoding._encode.bind(encoding)
  encoding._encode = (packet, packetOptions) => {
    const [event, payload] = (packet.data ?? []) as [keyof ServerToClientEvents, never]
    observe(event, payload)
    return encode(packet, packetOptions)
  }
}
