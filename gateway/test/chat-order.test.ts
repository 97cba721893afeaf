/**
 * Property: bursts of messages from several sockets on several nodes into new rooms (some with
 * messages already stored, so every node races to seed the missing counter) end in one order that
 * history, the stored documents and every client's view agree on, that keeps each sender's own
 * order, and in which a message sent after another was acked comes later.
 */
import type { ChatMessage } from '@hangout/protocol'
import { Collections, type MessageDoc } from '@hangout/store'
import fc from 'fast-check'
import { type Client, collect, randomId, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

const { cluster } = gatewaySuite({ nodes: 3, env: { GRACE_MS: '1000' } })

const RUNS = Number(process.env.HANGOUT_FUZZ_RUNS ?? 12)

interface SenderPlan {
  node: number
  /** Up to 8: within the burst allowance of one socket. */
  count: number
  /** Waits for each ack before sending the next. */
  sequential: boolean
}
const plan = fc.record({
  stored: fc.integer({ min: 0, max: 5 }),
  senders: fc.array(
    fc.record({ node: fc.integer({ min: 0, max: 2 }), count: fc.integer({ min: 1, max: 8 }), sequential: fc.boolean() }),
    {
      minLength: 2,
      maxLength: 5,
    },
  ),
})

interface Sent {
  sender: number
  sentAt: number
  ackedAt: number
  message: ChatMessage
}

async function sendAll(socket: Client, roomId: string, sender: number, p: SenderPlan, log: Sent[]): Promise<void> {
  const one = async (i: number) => {
    const sentAt = performance.now()
    const ack = await socket.timeout(15_000).emitWithAck('message', { roomId, text: `${sender}.${i}`, clientId: randomId('c') })
    if (!ack.ok) throw new Error(`refused: ${JSON.stringify(ack)}`)
    log.push({ sender, sentAt, ackedAt: performance.now(), message: ack.message })
  }
  if (p.sequential) for (let i = 0; i < p.count; i++) await one(i)
  else await Promise.all(Array.from({ length: p.count }, (_, i) => one(i)))
}

test('seq follows acceptance order across nodes; history and every view agree', async () => {
  await fc.assert(
    fc.asyncProperty(plan, async ({ stored, senders }) => {
      const roomId = await cluster.createRoom()
      const old = user('Old')
      if (stored) {
        await cluster.insertMessages(
          Array.from(
            { length: stored },
            (_, i): MessageDoc => ({
              _id: randomId('m'),
              roomId,
              seq: i + 1,
              userId: old.id,
              userName: 'Old',
              text: `old ${i}`,
              ts: 0,
            }),
          ),
        )
      }
      const joined = await Promise.all(senders.map((p, i) => cluster.join(cluster.node(p.node), user(`S${i}`), roomId)))
      const views = joined.map(({ socket }) => collect(socket, 'message'))
      const log: Sent[] = []
      await Promise.all(senders.map((p, i) => sendAll(joined[i]!.socket, roomId, i, p, log)))
      const total = senders.reduce((n, p) => n + p.count, 0)

      // Stored: seqs continue the stored ones without a gap or a repeat.
      const docs = await cluster.db.collection<MessageDoc>(Collections.messages).find({ roomId }).sort({ seq: 1 }).toArray()
      expect(docs.map((d) => d.seq)).toEqual(Array.from({ length: stored + total }, (_, i) => i + 1))
      const bySeq = new Map(log.map((s) => [s.message.seq, s]))
      // Each sender's own order.
      for (let i = 0; i < senders.length; i++) {
        const texts = docs.filter((d) => d.userName === `S${i}`).map((d) => d.text)
        expect(texts).toEqual(Array.from({ length: senders[i]!.count }, (_, k) => `${i}.${k}`))
      }
      // A message sent after another was acked has the higher seq.
      for (const a of log) for (const b of log) if (b.sentAt > a.ackedAt) expect(b.message.seq).toBeGreaterThan(a.message.seq)
      // Every view holds each message once, and in seq order it is the history.
      const history = docs.filter((d) => bySeq.has(d.seq)).map((d) => d._id)
      await until('every view complete', () => views.every((v) => v.length >= total))
      for (const view of views) {
        expect(view).toHaveLength(total)
        expect([...view].sort((x, y) => x.seq - y.seq).map((m) => m.id)).toEqual(history)
      }
      const late = await cluster.join(cluster.node(senders.length % 3), user('Late'), roomId)
      expect(late.ack.history.map((m) => m.id)).toEqual(docs.slice(-50).map((d) => d._id))
      for (const { socket } of [...joined, late]) socket.disconnect()
    }),
    { numRuns: RUNS },
  )
}, 240_000)
