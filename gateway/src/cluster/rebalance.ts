import type { Counter } from 'prom-client'
import type { GatewayServer, GatewaySocket } from '../socket/types.js'
import type { LiveNode } from './liveness.js'
import { buildRing, homeOf, type Ring } from './ring.js'

export interface RebalanceTiming {
  /** Every `rebalance` waits at least this long, so the edge has taken in the new node set. */
  settleMs: number
  /** The sockets of one room are spread over this much more time, so a big room does not stampede. */
  spreadMs: number
  /** How often to look for sockets still away from home (a connection that raced a ring change). */
  sweepEveryMs: number
  /** A socket away from home is told by the sweep once it has been connected this long (see rebalanceTiming). */
  sweepAfterMs: number
  /** A user told to move a room's socket is told again (on a new socket too) only this long after. */
  retellAfterMs: number
}

/**
 * The sweep waits until a node that nginx could not reach when the socket connected (so it fell back
 * here), if that node died, has left the ring: its heartbeat expired (TTL) and two censuses agreed.
 * Told sooner, the socket would be sent toward the dead node and fall back here again.
 */
export function rebalanceTiming(liveness: { heartbeatMs: number; nodeTtlMs: number }): RebalanceTiming {
  return {
    settleMs: 1000,
    spreadMs: 2000,
    sweepEveryMs: 2000,
    sweepAfterMs: liveness.nodeTtlMs + 2 * liveness.heartbeatMs + 1000,
    retellAfterMs: 15_000,
  }
}

/**
 * Knows the ring of live nodes (the same ring nginx hashes rooms on) and moves sockets home: when
 * the node set changes, the sockets on this node whose room's home is now another node get
 * `rebalance` {roomId, delayMs}, and reconnect through the edge to that node.
 * A socket's room is the one it was routed by: its handshake's `query.room`.
 */
export class Rebalancer {
  private ring: Ring = buildRing([])
  /** When each user was last told to move each room's socket, by `${userId} ${roomId}`: a reconnect is a new socket. */
  private readonly lastTold = new Map<string, number>()
  private sweepTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly io: GatewayServer,
    private readonly nodeId: string,
    /** Counts the sockets told to move. */
    private readonly told: Counter,
    private readonly timing: RebalanceTiming,
  ) {}

  /** The room's home on the ring of live nodes; undefined before the first census. */
  homeOf(roomId: string): string | undefined {
    return homeOf(this.ring, roomId)
  }

  /** A new live node set: rebuild the ring and send every socket whose home moved away. Returns how many. */
  update(liveNodes: LiveNode[]): number {
    this.ring = buildRing(liveNodes.map((node) => ({ id: node.id, upstream: node.upstream })))
    return this.tell(this.socketsAwayFromHome())
  }

  start(): void {
    this.sweepTimer = setInterval(() => this.sweep(), this.timing.sweepEveryMs)
    this.sweepTimer.unref()
  }

  stop(): void {
    clearInterval(this.sweepTimer)
  }

  socketsAwayFromHome(): GatewaySocket[] {
    if (this.ring.hashes.length === 0) return []
    const away: GatewaySocket[] = []
    for (const socket of this.io.of('/').sockets.values()) {
      const room = routedRoom(socket)
      if (room !== undefined && this.homeOf(room) !== this.nodeId) away.push(socket)
    }
    return away
  }

  private sweep(): void {
    const now = Date.now()
    for (const [key, at] of this.lastTold) if (now - at >= this.timing.retellAfterMs) this.lastTold.delete(key)
    const stale = this.socketsAwayFromHome().filter(
      (socket) => now - socket.handshake.issued >= this.timing.sweepAfterMs && !this.lastTold.has(toldKey(socket)),
    )
    this.tell(stale)
  }

  private tell(sockets: GatewaySocket[]): number {
    const byRoom = new Map<string, GatewaySocket[]>()
    for (const socket of sockets) {
      const room = routedRoom(socket) as string
      byRoom.set(room, [...(byRoom.get(room) ?? []), socket])
    }
    const now = Date.now()
    for (const [roomId, members] of byRoom) {
      members.forEach((socket, k) => {
        const delayMs = this.timing.settleMs + Math.floor((k * this.timing.spreadMs) / members.length)
        socket.data.toldToMove.add(roomId)
        socket.emit('rebalance', { roomId, delayMs })
        this.lastTold.set(toldKey(socket), now)
      })
    }
    this.told.inc(sockets.length)
    return sockets.length
  }
}

function toldKey(socket: GatewaySocket): string {
  return `${socket.data.user.id} ${routedRoom(socket)}`
}

function routedRoom(socket: GatewaySocket): string | undefined {
  const room = socket.handshake.query.room
  return typeof room === 'string' && room !== '' ? room : undefined
}
