/**
 * A chat member that keeps its log as the web app does (web/src/roomStore.ts, with @hangout/client's
 * chat log): merged by id in seq order, gaps fetched through GET /api/rooms/:id/messages. It keeps
 * two logs side by side:
 * - `seqLog`: the web app's rule: the gap before a (re)join's history, and a gap before a live
 *   message (a seq past the last known one + 1);
 * - `joinLog`: gaps looked for on (re)join only, to show what a rejoin alone brings back.
 */
import { type ChatMessage, MESSAGES_PAGE_MAX, type MessagesResponse } from '@hangout/protocol'
import type { Client, TestUser } from '@hangout/testkit/clients'
import { fillGap, fillLiveGap, gapBefore, mergeMessages } from '@hangout/client'

const REJOIN_DELAY_MS = 500

export class GapClient {
  joinLog: readonly ChatMessage[] = []
  seqLog: readonly ChatMessage[] = []
  joined = false
  /** Live deliveries of an id already delivered live on the same connection. */
  duplicates = 0
  /** The ids of those duplicate deliveries. */
  duplicateIds: string[] = []
  /** Messages that came only from a gap fetch, per log. */
  fetched = { join: 0, seq: 0 }
  fetchErrors = 0
  /** Disconnect reasons and refused joins, in order, for a failure message. */
  readonly events: string[] = []
  private liveThisConnection = new Set<string>()

  constructor(
    readonly user: TestUser,
    readonly roomId: string,
    readonly socket: Client,
    private readonly edgeUrl: string,
    /** Through the edge: on `rebalance`, reconnect (through the edge) after its delay, as the web app does. */
    followRebalance: boolean,
  ) {
    if (followRebalance) {
      socket.on('rebalance', ({ delayMs }) => {
        setTimeout(() => socket.disconnect().connect(), delayMs)
      })
    }
    socket.on('connect', () => this.join())
    // As web/src/connection.ts: the manager does not retry a server-side close or a refused handshake.
    socket.on('disconnect', (reason) => {
      this.joined = false
      this.events.push(`disconnect ${reason}`)
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), REJOIN_DELAY_MS)
    })
    socket.on('connect_error', (error) => {
      this.events.push(`connect_error ${error.message}`)
      if (!socket.active) setTimeout(() => socket.connect(), REJOIN_DELAY_MS)
    })
    socket.on('message', (message) => {
      if (this.liveThisConnection.has(message.id)) {
        this.duplicates++
        this.duplicateIds.push(message.id)
      }
      this.liveThisConnection.add(message.id)
      const gap = gapBefore(this.seqLog, [message])
      this.joinLog = mergeMessages(this.joinLog, [message])
      this.seqLog = mergeMessages(this.seqLog, [message])
      if (gap) void this.fillLive(gap)
    })
  }

  private join(): void {
    this.liveThisConnection = new Set()
    this.socket
      .timeout(5000)
      .emitWithAck('join_room', { roomId: this.roomId })
      .then((ack) => {
        if (!this.socket.connected) return
        if (!ack.ok) {
          this.events.push(`join ${ack.error.code}`)
          setTimeout(() => this.join(), REJOIN_DELAY_MS)
          return
        }
        const joinGap = gapBefore(this.joinLog, ack.history)
        const seqGap = gapBefore(this.seqLog, ack.history)
        this.joinLog = mergeMessages(this.joinLog, ack.history)
        this.seqLog = mergeMessages(this.seqLog, ack.history)
        this.joined = true
        if (joinGap) void this.fill('join', joinGap)
        if (seqGap) void this.fill('seq', seqGap)
      })
      .catch(() => this.socket.disconnect().connect())
  }

  /** The web app's rule for a gap seen on a live message (web/src/roomStore.ts), on the seq-checking log. */
  private async fillLive(gap: { after: number; before: number }): Promise<void> {
    const add = (found: ChatMessage[]) => {
      const size = this.seqLog.length
      this.seqLog = mergeMessages(this.seqLog, found)
      this.fetched.seq += this.seqLog.length - size
    }
    await fillLiveGap(
      gap,
      () => this.seqLog,
      (before) => this.fetchBefore(before),
      add,
      // The minute-long tail must not hold the test process open after its suite.
      (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
    ).catch(() => {
      this.fetchErrors++
    })
  }

  private async fill(log: 'join' | 'seq', gap: { after: number; before: number }): Promise<void> {
    try {
      const found = await fillGap(gap, (before) => this.fetchBefore(before))
      const key = log === 'join' ? 'joinLog' : 'seqLog'
      const size = this[key].length
      this[key] = mergeMessages(this[key], found)
      this.fetched[log] += this[key].length - size
    } catch {
      this.fetchErrors++
    }
  }

  private async fetchBefore(before: number): Promise<ChatMessage[]> {
    const url = `${this.edgeUrl}/api/rooms/${this.roomId}/messages?before=${before}&limit=${MESSAGES_PAGE_MAX}`
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.user.token}` } })
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
    return ((await response.json()) as MessagesResponse).messages
  }
}
