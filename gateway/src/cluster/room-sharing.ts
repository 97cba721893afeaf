import { randomBytes } from 'node:crypto'
import type { Logger } from '@hangout/runtime'
import type { RedisClient } from '@hangout/runtime'

/**
 * Marks our messages on a room's adapter channel. The adapter parses every message of the channel
 * too and ignores ours, since their `nsp` is no namespace of its own (ClusterAdapter.onMessage).
 */
const SHARING_NSP = '#room-sharing'
const MARK = Buffer.from(`{"nsp":"${SHARING_NSP}"`)
/** How long a node that joins a room waits for the other nodes' answers before it goes on without them. */
export const ACK_TIMEOUT_MS = 2000

/** What nodes say to each other about a room: its whole protocol, on the room's own channel. */
type SharingMessage =
  /** `node` has the room's channel subscribed and its first local socket joining: answer `ack`. */
  | { nsp: typeof SHARING_NSP; type: 'hello'; node: string; room: string; id: string }
  /** `node` knows `to` is in the room now (it publishes the room's broadcasts from here on). */
  | { nsp: typeof SHARING_NSP; type: 'ack'; node: string; room: string; to: string; id: string }
  /** `node` has no socket in the room any more. */
  | { nsp: typeof SHARING_NSP; type: 'bye'; node: string; room: string }

interface RoomPeers {
  /** The other nodes with members in the room, as far as this node has been told. */
  peers: Set<string>
  /** This node's hello has been answered (or timed out): until then the room counts as shared. */
  settled: boolean
}

interface Hello {
  room: string
  expected: number
  acks: Set<string>
  done: () => void
}

export interface SharingOptions {
  nodeId: string
  pub: RedisClient
  sub: RedisClient
  channel: (roomId: string) => string
  /** The room has sockets on this node now. */
  hasRoom: (roomId: string) => boolean
  /** Called before a hello is answered: what this node kept back of the room must reach Redis first. */
  beforeAck: (roomId: string) => Promise<void>
  log: Logger
  ackTimeoutMs?: number
}

/**
 * Knows which rooms have members on this node only, so that their broadcasts skip Redis (the
 * adapter's local path: no SPUBLISH, no echo to parse). A node whose first socket joins a room
 * subscribes to the room's channel, then says `hello` there; SPUBLISH answers how many
 * subscribers got it, and every other node answers `ack` after marking the room shared. The join
 * completes only after those answers: from then on every node publishes the room's broadcasts and
 * the joiner gets them. A node whose last socket leaves says `bye`; a room whose peers all left
 * (or were reaped) is local again. Unsure (a hello unanswered, the subscriber reconnecting): shared.
 */
export class RoomSharing {
  private readonly rooms = new Map<string, RoomPeers>()
  private readonly hellos = new Map<string, Hello>()
  private readonly ackTimeoutMs: number

  constructor(private readonly options: SharingOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? ACK_TIMEOUT_MS
    options.sub.on('smessageBuffer', (_channel: Buffer, message: Buffer) => {
      if (message.length > MARK.length && message.subarray(0, MARK.length).equals(MARK)) this.receive(message)
    })
    // Messages were lost while the subscriber was away: nothing this node knew holds any more.
    options.sub.on('close', () => this.forgetAll())
  }

  /** No other node has members in the room: its broadcasts may stay on this node. */
  alone(roomId: string): boolean {
    const room = this.rooms.get(roomId)
    return room?.settled === true && room.peers.size === 0
  }

  /**
   * The room's first local socket joins and the room's channel is subscribed: tells the other
   * nodes and resolves once each of them answered (or `ackTimeoutMs` passed).
   */
  async announce(roomId: string): Promise<void> {
    const { nodeId, pub, channel, log } = this.options
    let room = this.rooms.get(roomId)
    if (!room) {
      room = { peers: new Set(), settled: false }
      this.rooms.set(roomId, room)
    }
    room.settled = false
    const id = randomBytes(8).toString('hex')
    let done = () => {}
    const answered = new Promise<void>((resolve) => {
      done = resolve
    })
    const hello: Hello = { room: roomId, expected: Number.POSITIVE_INFINITY, acks: new Set(), done }
    this.hellos.set(id, hello)
    try {
      const receivers = await pub.spublish(
        channel(roomId),
        encode({ nsp: SHARING_NSP, type: 'hello', node: nodeId, room: roomId, id }),
      )
      // Our own subscription is one of the receivers.
      hello.expected = Number(receivers) - 1
      if (hello.acks.size < hello.expected) {
        let timer: NodeJS.Timeout | undefined
        const timedOut = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.ackTimeoutMs)
        })
        await Promise.race([answered, timedOut])
        clearTimeout(timer)
        if (hello.acks.size < hello.expected)
          log.warn({ room: roomId, expected: hello.expected, got: hello.acks.size }, 'room hello: not every node answered')
      }
    } finally {
      this.hellos.delete(id)
    }
    // A `forgetAll` meanwhile dropped the room: it stays unknown (shared) until announced again.
    if (this.rooms.get(roomId) === room) room.settled = true
  }

  /**
   * The room's last local socket left. Only a room this node told about says bye (not a socket's or
   * a user's room; nor one forgotten while the subscriber was away: the others count it shared
   * until they leave it themselves, which costs them publishes, not messages).
   */
  leave(roomId: string): void {
    const { nodeId, pub, channel, log } = this.options
    if (!this.rooms.delete(roomId)) return
    pub
      .spublish(channel(roomId), encode({ nsp: SHARING_NSP, type: 'bye', node: nodeId, room: roomId }))
      .catch((err: unknown) => log.warn({ err, room: roomId }, 'room bye not sent'))
  }

  /**
   * The live node set changed (the census saw it twice alike): a peer not in it is dead and says no
   * bye. A node that says hello is live before it does (its first heartbeat precedes its port).
   */
  keepOnly(liveNodes: Set<string>): void {
    for (const room of this.rooms.values()) for (const peer of room.peers) if (!liveNodes.has(peer)) room.peers.delete(peer)
  }

  /** Every room is shared until announced again. */
  forgetAll(): void {
    this.rooms.clear()
    for (const hello of this.hellos.values()) hello.done()
  }

  /** Rooms known as shared now (for the tests' and operators' eyes, through metrics). */
  get sharedRooms(): number {
    let shared = 0
    for (const room of this.rooms.values()) if (room.peers.size > 0) shared++
    return shared
  }

  private receive(raw: Buffer): void {
    let message: SharingMessage
    try {
      message = JSON.parse(raw.toString()) as SharingMessage
    } catch {
      this.options.log.warn('room sharing: unreadable message')
      return
    }
    const { nodeId } = this.options
    if (message.node === nodeId) return
    if (message.type === 'hello') this.hello(message.room, message.node, message.id)
    else if (message.type === 'ack') {
      if (message.to !== nodeId) return
      this.rooms.get(message.room)?.peers.add(message.node)
      const hello = this.hellos.get(message.id)
      if (!hello) return
      hello.acks.add(message.node)
      if (hello.acks.size >= hello.expected) hello.done()
    } else if (message.type === 'bye') this.rooms.get(message.room)?.peers.delete(message.node)
  }

  private hello(roomId: string, from: string, id: string): void {
    const { nodeId, pub, channel, hasRoom, beforeAck, log } = this.options
    // Shared from this instant: every broadcast this node makes from here on is published.
    let room = this.rooms.get(roomId)
    if (!room && hasRoom(roomId)) {
      room = { peers: new Set(), settled: false }
      this.rooms.set(roomId, room)
    }
    room?.peers.add(from)
    const ack = encode({ nsp: SHARING_NSP, type: 'ack', node: nodeId, room: roomId, to: from, id })
    beforeAck(roomId)
      .catch((err: unknown) => log.warn({ err, room: roomId }, 'room state not flushed before answering a hello'))
      .then(() => pub.spublish(channel(roomId), ack))
      .catch((err: unknown) => log.warn({ err, room: roomId }, 'room hello not answered'))
  }
}

function encode(message: SharingMessage): string {
  return JSON.stringify(message)
}
