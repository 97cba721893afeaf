import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@hangout/testkit/process'
import { startRedis } from '@hangout/testkit/services'
import type { ChatMessage, MessageAck } from '@hangout/protocol'
import { Collections, type MessageDoc } from '@hangout/store'
import { Redis } from 'ioredis'
import { type Client, collect, randomId, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// A MongoDB-wire server and a Redis (keeping snapshots in its own directory) of this suite's own, so
// that both can be stopped and Redis restarted from an older snapshot.
const redisDir = mkdtempSync(join(tmpdir(), 'hangout-redis-'))
const suite = gatewaySuite({ nodes: 2, env: { GRACE_MS: '1000' }, redisServer: { snapshotDir: redisDir }, privateMongo: true })
const { cluster } = suite
afterAll(() => rmSync(redisDir, { recursive: true, force: true }))

const messages = () => cluster.db.collection<MessageDoc>(Collections.messages)
const stored = (roomId: string) => messages().find({ roomId }).sort({ seq: 1 }).toArray()

async function healthy(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined)
  return response?.status === 200
}

function send(socket: Client, roomId: string, text: string, clientId = randomId('c')): Promise<MessageAck> {
  return socket.timeout(15_000).emitWithAck('message', { roomId, text, clientId })
}

test('a batch with one document the store refuses fails only that one: the rest are stored, acked and broadcast', async () => {
  const roomId = await cluster.createRoom()
  const poisoner = user('Poisoner')
  // A rule of the store's own that one document breaks: (userId, text) unique, and one already taken.
  await messages().createIndex({ userId: 1, text: 1 }, { unique: true, name: 'test_poison' })
  try {
    await cluster.insertMessages([
      { _id: randomId('m'), roomId: randomId('elsewhere'), seq: 1, userId: poisoner.id, userName: 'P', text: 'poison', ts: 0 },
    ])
    const p = await cluster.join(cluster.node(0), poisoner, roomId)
    const others = await Promise.all([0, 1, 2].map((i) => cluster.join(cluster.node(0), user(`O${i}`), roomId)))
    const observer = await cluster.join(cluster.node(1), user('Observer'), roomId)
    const seen = collect(observer.socket, 'message')
    // The first write goes alone; everything sent meanwhile is one batch, the poison in its middle.
    const opener = send(others[0]!.socket, roomId, 'opener')
    const batch = [
      ...others.flatMap(({ socket }, i) => [send(socket, roomId, `a${i}`), send(socket, roomId, `b${i}`)]),
      send(p.socket, roomId, 'poison'),
      send(p.socket, roomId, 'fine'),
      ...others.map(({ socket }, i) => send(socket, roomId, `c${i}`)),
    ]
    const [first, ...acks] = await Promise.all([opener, ...batch])
    expect(first!.ok).toBe(true)
    const poisonAck = acks[6]!
    expect(poisonAck).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } })
    const accepted = [first!, ...acks.filter((ack) => ack !== poisonAck)].map((ack) => (ack.ok ? ack.message : undefined))
    expect(accepted.every(Boolean)).toBe(true)
    await until('every accepted message broadcast', () => seen.length === accepted.length)
    await sleep(200)
    expect(new Set(seen.map((m) => m.id))).toEqual(new Set(accepted.map((m) => m!.id)))
    expect(seen.some((m) => m.text === 'poison')).toBe(false)
    const docs = await stored(roomId)
    expect(docs.map((d) => d.text).sort()).toEqual(accepted.map((m) => m!.text).sort())
    const seqs = docs.map((d) => d.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    // One socket's messages in the order it sent them.
    const ofP = docs.filter((d) => d.userId === poisoner.id).map((d) => d.text)
    expect(ofP).toEqual(['fine'])
    for (const i of [0, 1, 2]) {
      const texts = docs.filter((d) => d.userName === `O${i}`).map((d) => d.text)
      expect(texts).toEqual([...(i === 0 ? ['opener'] : []), `a${i}`, `b${i}`, `c${i}`])
    }
  } finally {
    await messages().dropIndex('test_poison')
  }
})

test('MongoDB stopped during batches: failed messages are refused INTERNAL and reach nobody, acked ones are stored; resends settle each once', async () => {
  const roomId = await cluster.createRoom()
  const senders = await Promise.all([0, 1, 2, 3].map((i) => cluster.join(cluster.node(0), user(`S${i}`), roomId)))
  const observer = await cluster.join(cluster.node(1), user('Observer'), roomId)
  const seen = collect(observer.socket, 'message')
  const sent: { socket: Client; clientId: string; text: string; ack?: MessageAck }[] = []
  let stop = false
  const loops = senders.map(async ({ socket }, s) => {
    for (let i = 0; !stop && i < 40; i++) {
      const entry: (typeof sent)[number] = { socket, clientId: randomId('c'), text: `${s}.${i}` }
      sent.push(entry)
      entry.ack = await send(socket, roomId, entry.text, entry.clientId)
      // A failure answers fast; a short pause keeps the senders from spending their rate limit.
      await sleep(entry.ack.ok ? 100 : 250)
    }
  })
  await until('a few messages stored', () => sent.filter((e) => e.ack?.ok).length >= 8, 15_000)
  await suite.mongo.kill()
  await until('a few refused', () => sent.filter((e) => e.ack && !e.ack.ok).length >= 4, 20_000)
  stop = true
  await Promise.all(loops)

  const ok = sent.filter((e) => e.ack?.ok)
  const failed = sent.filter((e) => e.ack && !e.ack.ok)
  for (const e of failed) expect(e.ack).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
  await sleep(300)
  // Broadcast = acked: nothing half-acked either way.
  expect(new Set(seen.map((m) => m.id))).toEqual(new Set(ok.map((e) => (e.ack as { message: ChatMessage }).message.id)))

  await suite.mongo.restart()
  const docs = await stored(roomId)
  for (const e of ok) expect(docs.map((d) => d._id)).toContain((e.ack as { message: ChatMessage }).message.id)
  // A refused message may still have been written when the store died mid-answer: the resend tells.
  await waitFor(
    'the store answers the gateways again',
    async () => (await send(observer.socket, roomId, 'probe')).ok,
    30_000,
    500,
  )
  for (const e of failed) {
    const again = await send(e.socket, roomId, e.text, e.clientId)
    expect(again).toMatchObject({ ok: true, message: { text: e.text } })
  }
  const after = await stored(roomId)
  const clientIds = after.map((d) => d.clientId)
  expect(new Set(clientIds).size).toBe(clientIds.length)
  for (const e of sent) expect(clientIds.filter((c) => c === e.clientId)).toHaveLength(1)
  const seqs = after.map((d) => d.seq)
  expect(new Set(seqs).size).toBe(seqs.length)
}, 120_000)

test('a node killed with messages in flight: resending them on another node stores each once and answers the first acks', async () => {
  const roomId = await cluster.createRoom()
  const doomed = await cluster.addNode()
  const ann = user('Ann')
  const a = await cluster.join(doomed, ann, roomId)
  const clientIds = Array.from({ length: 10 }, (_, i) => `kill-${i}`)
  const firstAcks = new Map<string, ChatMessage>()
  for (const clientId of clientIds) {
    a.socket.emit('message', { roomId, text: clientId, clientId }, (ack) => {
      if (ack.ok) firstAcks.set(clientId, ack.message)
    })
  }
  await until('the first ack', () => firstAcks.size >= 1)
  await doomed.proc.kill()
  cluster.nodes = cluster.nodes.filter((n) => n !== doomed)

  const b = await cluster.join(cluster.node(1), ann, roomId)
  const resent = await Promise.all(clientIds.map((clientId) => send(b.socket, roomId, clientId, clientId)))
  for (const [i, ack] of resent.entries()) {
    expect(ack.ok).toBe(true)
    const before = firstAcks.get(clientIds[i]!)
    if (before && ack.ok) expect(ack.message).toEqual(before)
  }
  const docs = await stored(roomId)
  expect(docs.map((d) => d.clientId).sort()).toEqual([...clientIds].sort())
  // The sender's own order survives the crash and the resend.
  expect(docs.map((d) => d.clientId)).toEqual(clientIds)
}, 60_000)

test('Redis restarted from a snapshot taken before later messages: no seq is used twice, history is not stale', async () => {
  const roomId = await cluster.createRoom()
  const a = await cluster.join(cluster.node(0), user('Ann'), roomId)
  for (let i = 1; i <= 3; i++) expect(await send(a.socket, roomId, `m${i}`)).toMatchObject({ ok: true, message: { seq: i } })
  const admin = new Redis(cluster.redisUrl)
  await admin.save()
  admin.disconnect()
  for (let i = 4; i <= 6; i++) expect(await send(a.socket, roomId, `m${i}`)).toMatchObject({ ok: true, message: { seq: i } })

  // kill -9: no snapshot at shutdown; the restarted server loads the one taken after m3.
  await cluster.redis!.kill()
  cluster.redis = await startRedis(cluster.redisPort, undefined, { snapshotDir: redisDir })
  const restored = new Redis(cluster.redisUrl)
  expect(await restored.dbsize()).toBeGreaterThan(0)
  restored.disconnect()
  await waitFor('every node healthy again', async () =>
    (await Promise.all(cluster.nodes.map((n) => healthy(n.port)))).every(Boolean),
  )

  const late = await cluster.join(cluster.node(1), user('Late'), roomId)
  expect(late.ack.history.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
  // Five at once from one socket, while the counter says 3: they take 7…11 in the order sent.
  const acks = await Promise.all([7, 8, 9, 10, 11].map((i) => send(late.socket, roomId, `m${i}`)))
  expect(acks.map((ack) => (ack.ok ? ack.message.seq : ack.error.code))).toEqual([7, 8, 9, 10, 11])
  const docs = await stored(roomId)
  expect(docs.map((d) => [d.seq, d.text])).toEqual(Array.from({ length: 11 }, (_, i) => [i + 1, `m${i + 1}`]))
  const again = await cluster.join(cluster.node(0), user('Again'), roomId)
  expect(again.ack.history.map((m) => m.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1))
}, 60_000)
