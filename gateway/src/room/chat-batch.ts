import type { Logger } from '@hangout/runtime'
import type { ChatMessage } from '@hangout/protocol'
import {
  MONGO_DUPLICATE_KEY,
  type MessageDoc,
  type MessagesStore,
  messageFromDoc,
  type RecentHistory,
  type RefusedInsert,
  type SentEntry,
} from '@hangout/store'
import type { SeqCounter } from './chat-seq.js'

/** What posting a message answers: the message as stored, and whether this post stored it (false: a resend). */
export interface Posted {
  message: ChatMessage
  fresh: boolean
}

export interface BatchLimits {
  count: number
  bytes: number
}

/** One insertMany at most this big. */
export const BATCH_LIMITS: BatchLimits = { count: 256, bytes: 1024 * 1024 }
/** Raising a stale counter and retrying: more than a few rounds means something else is wrong. */
const HEAL_ATTEMPTS = 3

interface Pending {
  doc: MessageDoc
  /** The sender gave the clientId (else it is the message id and needs no lookup). */
  clientGiven: boolean
  bytes: number
  resolve(posted: Posted): void
  reject(err: unknown): void
}

/** `fromIndex`: found stored through the clientId index (worth caching for the next resend). */
type Outcome = { posted: Posted; fromIndex?: true } | { err: unknown }

/**
 * Group commit: the messages a node accepts while a write is in flight go into the next
 * insertMany (ordered: false), one batch in flight per node, so a room's seqs follow acceptance
 * order. Every message is answered after its batch: stored (durable before the ack), found stored
 * before (a resend), or failed. A failed batch fails exactly its messages; a refused document fails
 * only itself.
 */
export class ChatWriter {
  private readonly queue: Pending[] = []
  private writing = false
  /** Messages queued or being written, by idempotency key: a resend on this node waits for the first. */
  private readonly inFlight = new Map<string, Promise<Posted>>()

  constructor(
    private readonly messages: MessagesStore,
    private readonly recent: RecentHistory,
    private readonly seqs: SeqCounter,
    private readonly log: Logger,
    private readonly limits: BatchLimits = BATCH_LIMITS,
    private readonly onBatch: (size: number) => void = () => {},
  ) {}

  /** Queues a message (its seq is taken when its batch is written); `clientGiven`: the sender named its clientId. */
  submit(doc: MessageDoc, clientGiven: boolean): Promise<Posted> {
    const key = clientGiven ? `${doc.roomId}|${doc.userId}|${doc.clientId}` : undefined
    const earlier = key === undefined ? undefined : this.inFlight.get(key)
    if (earlier) return earlier.then((posted) => ({ message: posted.message, fresh: false }))
    const posted = new Promise<Posted>((resolve, reject) => {
      const bytes = Buffer.byteLength(doc.text) + Buffer.byteLength(doc.userName) + 256
      this.queue.push({ doc, clientGiven, bytes, resolve, reject })
    })
    if (key !== undefined) {
      this.inFlight.set(key, posted)
      const done = () => this.inFlight.delete(key)
      posted.then(done, done)
    }
    if (!this.writing) void this.drain()
    return posted
  }

  private async drain(): Promise<void> {
    this.writing = true
    try {
      while (this.queue.length) {
        const batch = this.take()
        this.onBatch(batch.length)
        await this.write(batch, 0)
      }
    } finally {
      this.writing = false
    }
  }

  private take(): Pending[] {
    let count = 0
    let bytes = 0
    for (const next of this.queue) {
      if (count === this.limits.count || (count > 0 && bytes + next.bytes > this.limits.bytes)) break
      count++
      bytes += next.bytes
    }
    return this.queue.splice(0, count)
  }

  /** Writes one batch (in acceptance order) and answers every message in it. Never throws. */
  private async write(batch: Pending[], attempt: number): Promise<void> {
    const outcomes = new Map<Pending, Outcome>()
    let retry: Pending[] = []
    try {
      const toInsert = await this.allocate(batch, outcomes)
      retry = await this.insert(toInsert, outcomes, attempt)
    } catch (err) {
      retry = []
      for (const p of batch) if (!outcomes.has(p)) outcomes.set(p, { err })
    }
    await this.remember(batch, outcomes)
    const retrying = new Set(retry)
    for (const p of batch) {
      if (retrying.has(p)) continue
      const outcome = outcomes.get(p) ?? { err: new Error('message left unanswered by its batch') }
      if ('posted' in outcome) p.resolve(outcome.posted)
      else p.reject(outcome.err)
    }
    if (retry.length) await this.write(retry, attempt + 1)
  }

  /** Takes seqs room by room, in order; a message found stored under its clientId is answered and needs none. */
  private async allocate(batch: Pending[], outcomes: Map<Pending, Outcome>): Promise<Pending[]> {
    const byRoom = groupBy(batch, (p) => p.doc.roomId)
    await Promise.all(
      [...byRoom].map(async ([roomId, list]) => {
        const userIds = list.map((p) => p.doc.userId)
        const clientIds = list.map((p) => (p.clientGiven ? p.doc.clientId : undefined))
        let allocation = await this.seqs.allocate(roomId, userIds, clientIds)
        if (allocation.last < 0)
          allocation = await this.seqs.allocate(roomId, userIds, clientIds, await this.messages.highestSeq(roomId))
        const needing = list.filter((p, i) => {
          const found = allocation.found[i]
          if (found !== undefined) outcomes.set(p, { posted: { message: JSON.parse(found) as ChatMessage, fresh: false } })
          return found === undefined
        })
        let seq = allocation.last - needing.length
        for (const p of needing) p.doc.seq = ++seq
      }),
    )
    return batch.filter((p) => !outcomes.has(p))
  }

  /** insertMany; sorts out the refused documents. Answers the messages to write again (a stale counter was raised). */
  private async insert(list: Pending[], outcomes: Map<Pending, Outcome>, attempt: number): Promise<Pending[]> {
    if (!list.length) return []
    // Throws (failing the whole batch) unless the answer tells which documents were stored.
    const refused = (await this.messages.insertBatch(list.map((p) => p.doc))).map((r: RefusedInsert) => ({
      ...r,
      p: list[r.index]!,
    }))
    const refusedSet = new Set(refused.map((r) => r.p))
    for (const p of list) if (!refusedSet.has(p)) outcomes.set(p, { posted: { message: messageFromDoc(p.doc), fresh: true } })

    const collided = new Map<string, Pending[]>()
    await Promise.all(
      refused.map(async ({ p, err, code }) => {
        if (code !== MONGO_DUPLICATE_KEY) return outcomes.set(p, { err })
        const { roomId, userId, clientId, seq } = p.doc
        const first = await this.messages.findByClientId(roomId, userId, clientId!)
        // Stored by this very write (the driver retried an insert whose answer was lost).
        if (first?._id === p.doc._id) return outcomes.set(p, { posted: { message: messageFromDoc(p.doc), fresh: true } })
        if (first) return outcomes.set(p, { posted: { message: messageFromDoc(first), fresh: false }, fromIndex: true })
        if (attempt < HEAL_ATTEMPTS && (await this.messages.seqTaken(roomId, seq))) {
          const room = collided.get(roomId)
          if (room) room.push(p)
          else collided.set(roomId, [p])
          return
        }
        outcomes.set(p, { err })
      }),
    )
    if (!collided.size) return []
    return this.heal(list, collided, outcomes)
  }

  /**
   * The counter handed out seqs already stored (Redis restored from an older snapshot, a lagging
   * replica): raise it past the highest stored seq, and write again, in their order, the colliding
   * messages and those of the room stored after them (taken back: nobody was told of them yet).
   */
  private async heal(list: Pending[], collided: Map<string, Pending[]>, outcomes: Map<Pending, Outcome>): Promise<Pending[]> {
    const again: Pending[] = []
    await Promise.all(
      [...collided].map(async ([roomId, failed]) => {
        const lowest = Math.min(...failed.map((p) => p.doc.seq))
        const later = list.filter(
          (p) => p.doc.roomId === roomId && !failed.includes(p) && isFresh(outcomes.get(p)) && p.doc.seq > lowest,
        )
        await this.messages.deleteIds(later.map((p) => p.doc._id))
        for (const p of later) outcomes.delete(p)
        await this.seqs.raise(roomId, await this.messages.highestSeq(roomId))
        again.push(...failed, ...later)
      }),
    )
    const order = new Map(list.map((p, i) => [p, i]))
    return again.sort((a, b) => order.get(a)! - order.get(b)!)
  }

  /**
   * Stored: into the recent history and the clientId fast path (so is a message found through the
   * index), one script call per room. Their failure fails no message (it is stored): a cache that
   * may now miss one is dropped, and the unique index still catches a resend.
   */
  private async remember(batch: Pending[], outcomes: Map<Pending, Outcome>): Promise<void> {
    const fresh: ChatMessage[] = []
    const sent: SentEntry[] = []
    for (const p of batch) {
      const outcome = outcomes.get(p)
      if (!outcome || !('posted' in outcome)) continue
      const { message } = outcome.posted
      if (outcome.posted.fresh) fresh.push(message)
      if (p.clientGiven && (outcome.posted.fresh || outcome.fromIndex))
        sent.push({ userId: p.doc.userId, clientId: p.doc.clientId!, message })
    }
    try {
      await this.recent.addStored(fresh, sent)
    } catch (err) {
      this.log.warn({ err }, 'chat: stored messages not cached')
      await this.recent
        .forget(fresh.map((m) => m.roomId))
        .catch((again: unknown) => this.log.error({ err: again }, 'chat: stale recent history kept'))
    }
  }
}

function isFresh(outcome: Outcome | undefined): boolean {
  return outcome !== undefined && 'posted' in outcome && outcome.posted.fresh
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}
