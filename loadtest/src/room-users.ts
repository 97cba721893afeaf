/** Many users, each with one socket.io-client socket in one room: connect, join, run a plan, count and time everything. */
import { randomUUID } from 'node:crypto'
import {
  type AckErrorCode,
  ClientEvent,
  type ClientEventName,
  type ClientToServerEvents,
  PAGE_COUNT,
  PRODUCT_COUNT,
  ServerEvent,
  type ServerToClientEvents,
} from '@hangout/protocol'
import { io, type Socket } from 'socket.io-client'
import { type ActivityPlan, latencyText, parseLatencyText } from '../k6/lib/plans.js'
import { encodeHistogram, newLatencyHistogram, recordMs } from './histogram.js'

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>

export interface Seat {
  /** Unique per user in the whole run: marks the sender of latency-tagged chat. */
  user: string
  token: string
  roomId: string
  /** Where this socket connects: the edge, or one gateway directly. */
  url: string
  /**
   * Stay on the node after a `rebalance` (counted, not followed): the bench's scattered arm keeps a
   * room's sockets on several nodes, which the gateways' sweep would otherwise send home.
   */
  stayOnRebalance?: boolean
}

export interface RunCounts {
  connectErrors: number
  joined: number
  joinErrors: number
  sent: Partial<Record<ClientEventName, number>>
  acked: Partial<Record<ClientEventName, number>>
  ackErrors: Partial<Record<AckErrorCode | 'TIMEOUT', number>>
  /** Room events received while the activity ran, by event name. */
  delivered: Record<string, number>
  /** `user_joined` frames received before the activity started (what a join storm sends). */
  joinedFramesAtJoin: number
  rebalances: number
  unexpectedDisconnects: number
}

/** Counts of a run that has done nothing yet. */
export function emptyCounts(): RunCounts {
  return {
    connectErrors: 0,
    joined: 0,
    joinErrors: 0,
    sent: {},
    acked: {},
    ackErrors: {},
    delivered: {},
    joinedFramesAtJoin: 0,
    rebalances: 0,
    unexpectedDisconnects: 0,
  }
}

export interface RunResult {
  counts: RunCounts
  /** Encoded histograms (microseconds): see histogram.ts. */
  histograms: { joinAck: string; connectJoin: string; fanout: string; emitAck: string }
  /** The gateway node ids each room's sockets were served by (from join acks). */
  roomNodes: Record<string, string[]>
}

const ACK_TIMEOUT_MS = 10000
const now = () => performance.timeOrigin + performance.now()

export class RoomUsers {
  private readonly sockets = new Map<Seat, ClientSocket>()
  private readonly joinedSeats = new Set<Seat>()
  private readonly timers: NodeJS.Timeout[] = []
  private active = false
  private inFlight = 0
  private closing = false
  private readonly joinAck = newLatencyHistogram()
  private readonly connectJoin = newLatencyHistogram()
  private readonly fanout = newLatencyHistogram()
  private readonly emitAck = newLatencyHistogram()
  private readonly roomNodes = new Map<string, Set<string>>()
  private readonly counts: RunCounts = emptyCounts()

  constructor(
    private readonly seats: Seat[],
    private readonly plan: ActivityPlan,
  ) {}

  /** Connects every seat at once and joins its room; resolves when each has joined or failed. */
  async connectAll(): Promise<void> {
    await Promise.all(this.seats.map((seat) => this.connect(seat)))
  }

  private connect(seat: Seat): Promise<void> {
    const openedAt = now()
    const socket: ClientSocket = io(seat.url, {
      path: '/socket.io',
      transports: ['websocket'],
      query: { room: seat.roomId },
      auth: { token: seat.token },
      forceNew: true,
      reconnection: false,
    })
    this.sockets.set(seat, socket)
    this.listen(seat, socket)
    return new Promise((resolve) => {
      socket.once('connect_error', () => {
        this.counts.connectErrors++
        resolve()
      })
      socket.once('connect', () => {
        const sentAt = now()
        socket.timeout(ACK_TIMEOUT_MS).emit(ClientEvent.joinRoom, { roomId: seat.roomId }, (err, ack) => {
          if (err || !ack.ok) {
            this.counts.joinErrors++
            if (ack && !ack.ok) this.countAckError(ack.error.code)
          } else {
            const at = now()
            recordMs(this.joinAck, at - sentAt)
            recordMs(this.connectJoin, at - openedAt)
            this.counts.joined++
            this.joinedSeats.add(seat)
            const nodes = this.roomNodes.get(seat.roomId) ?? new Set()
            this.roomNodes.set(seat.roomId, nodes.add(ack.node))
          }
          resolve()
        })
      })
    })
  }

  private listen(seat: Seat, socket: ClientSocket): void {
    const delivered = (event: string) => {
      if (this.active) this.counts.delivered[event] = (this.counts.delivered[event] ?? 0) + 1
    }
    socket.on(ServerEvent.message, (message) => {
      delivered(ServerEvent.message)
      const tagged = parseLatencyText(message.text)
      if (this.active && tagged && tagged.sender !== seat.user) recordMs(this.fanout, now() - tagged.sentAtMs)
    })
    socket.on(ServerEvent.userClicked, () => delivered(ServerEvent.userClicked))
    socket.on(ServerEvent.scrollUpdated, () => delivered(ServerEvent.scrollUpdated))
    socket.on(ServerEvent.pageChanged, () => delivered(ServerEvent.pageChanged))
    socket.on(ServerEvent.userJoined, () => {
      if (!this.active) this.counts.joinedFramesAtJoin++
    })
    socket.on(ServerEvent.pointerMoved, () => delivered(ServerEvent.pointerMoved))
    socket.on(ServerEvent.rebalance, ({ delayMs }) => {
      this.counts.rebalances++
      if (seat.stayOnRebalance) return
      // The room moved: reconnect after the delay, as the web app does.
      this.joinedSeats.delete(seat)
      socket.disconnect()
      if (!this.closing) this.timers.push(setTimeout(() => void this.connect(seat), delayMs))
    })
    socket.on('disconnect', (reason) => {
      if (!this.closing && reason !== 'io client disconnect') this.counts.unexpectedDisconnects++
    })
  }

  /** Starts every seat's activity (after the plan's warm-up, at a random phase per seat). */
  start(): void {
    this.active = true
    const { plan } = this
    for (const seat of this.seats) {
      // Every message carries a clientId, as the contract asks of clients (a resend would be stored once).
      this.every(plan.chatPerSec, seat, ClientEvent.message, () => ({
        roomId: seat.roomId,
        text: latencyText(seat.user, now()),
        clientId: randomUUID(),
      }))
      this.every(plan.scrollPerSec, seat, ClientEvent.scroll, () => ({
        roomId: seat.roomId,
        top: Math.round(Math.random() * 1000) / 1000,
      }))
      this.every(plan.clickPerSec, seat, ClientEvent.click, () => ({
        roomId: seat.roomId,
        productId: 1 + Math.floor(Math.random() * PRODUCT_COUNT),
      }))
      this.every(plan.pagePerSec, seat, ClientEvent.page, () => ({
        roomId: seat.roomId,
        page: 1 + Math.floor(Math.random() * PAGE_COUNT),
      }))
      this.every(plan.pointerPerSec ?? 0, seat, ClientEvent.pointer, () => ({
        roomId: seat.roomId,
        x: Math.random(),
        y: Math.random(),
      }))
    }
  }

  private every(
    perSec: number,
    seat: Seat,
    event: Exclude<ClientEventName, 'join_room' | 'leave_room'>,
    payload: () => object,
  ): void {
    if (perSec <= 0) return
    const periodMs = 1000 / perSec
    const tick = () => {
      const socket = this.sockets.get(seat)
      if (!socket || !this.joinedSeats.has(seat)) return
      const sentAt = now()
      this.counts.sent[event] = (this.counts.sent[event] ?? 0) + 1
      // The payload matches `event` by construction; socket.io's typed emit cannot see that through the union.
      const emit = socket.timeout(ACK_TIMEOUT_MS).emit as (
        e: string,
        p: object,
        cb: (err: Error | null, ack: { ok: boolean; error?: { code: AckErrorCode } }) => void,
      ) => void
      this.inFlight++
      emit.call(socket, event, payload(), (err, ack) => {
        this.inFlight--
        recordMs(this.emitAck, now() - sentAt)
        if (err) this.countAckError('TIMEOUT')
        else if (!ack.ok && ack.error) this.countAckError(ack.error.code)
        else this.counts.acked[event] = (this.counts.acked[event] ?? 0) + 1
      })
    }
    // The first event at a random phase within the first period, then one every period.
    const first = setTimeout(
      () => {
        tick()
        this.timers.push(setInterval(tick, periodMs))
      },
      this.plan.warmupMs + Math.random() * periodMs,
    )
    this.timers.push(first)
  }

  private countAckError(code: AckErrorCode | 'TIMEOUT'): void {
    this.counts.ackErrors[code] = (this.counts.ackErrors[code] ?? 0) + 1
  }

  /** Stops emitting, waits for the acks still in flight, then `settleMs` for their broadcasts to arrive. */
  async stopEmitting(settleMs = 500): Promise<void> {
    for (const timer of this.timers.splice(0)) {
      clearTimeout(timer)
      clearInterval(timer)
    }
    const deadline = Date.now() + ACK_TIMEOUT_MS
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    await new Promise((resolve) => setTimeout(resolve, settleMs))
  }

  result(): RunResult {
    this.active = false
    return {
      counts: this.counts,
      histograms: {
        joinAck: encodeHistogram(this.joinAck),
        connectJoin: encodeHistogram(this.connectJoin),
        fanout: encodeHistogram(this.fanout),
        emitAck: encodeHistogram(this.emitAck),
      },
      roomNodes: Object.fromEntries([...this.roomNodes].map(([room, nodes]) => [room, [...nodes]])),
    }
  }

  close(): void {
    this.closing = true
    for (const timer of this.timers.splice(0)) {
      clearTimeout(timer)
      clearInterval(timer)
    }
    for (const socket of this.sockets.values()) socket.disconnect()
    this.sockets.clear()
  }
}
