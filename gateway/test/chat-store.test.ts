import type { MessageAck } from '@hangout/protocol'
import { Collections, type MessageDoc, RedisKeys } from '@hangout/store'
import { collect, randomId, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

const suite = gatewaySuite({ nodes: 2, env: { GRACE_MS: '1000' } })
const { cluster } = suite

const stored = (roomId: string) =>
  cluster.db.collection<MessageDoc>(Collections.messages).find({ roomId }).sort({ seq: 1 }).toArray()

function ok(ack: MessageAck) {
  if (!ack.ok) throw new Error(`refused: ${JSON.stringify(ack)}`)
  return ack.message
}

describe('idempotency by clientId', () => {
  test('a resend on the same node, at once or later, and on another node answers the first ack; stored and broadcast once', async () => {
    const roomId = await cluster.createRoom()
    const ann = user('Ann')
    const a = await cluster.join(cluster.node(0), ann, roomId)
    const observer = await cluster.join(cluster.node(1), user('Observer'), roomId)
    const seen = collect(observer.socket, 'message')
    const clientId = randomId('c')
    // Twice in the same tick: the second waits for the first on this node.
    const [first, again] = await Promise.all([
      a.socket.emitWithAck('message', { roomId, text: 'once', clientId }),
      a.socket.emitWithAck('message', { roomId, text: 'once', clientId }),
    ])
    const message = ok(first)
    expect(ok(again)).toEqual(message)
    // Later: from Redis.
    expect(ok(await a.socket.emitWithAck('message', { roomId, text: 'once', clientId }))).toEqual(message)
    // From another socket of the same user on the other node.
    const tab = await cluster.join(cluster.node(1), ann, roomId)
    expect(ok(await tab.socket.emitWithAck('message', { roomId, text: 'once', clientId }))).toEqual(message)
    // Another user's identical clientId is another message.
    const bob = await cluster.join(cluster.node(0), user('Bob'), roomId)
    const bobs = ok(await bob.socket.emitWithAck('message', { roomId, text: 'mine', clientId }))
    expect(bobs.id).not.toBe(message.id)
    expect(bobs.seq).toBe(message.seq + 1)

    await until('both messages seen', () => seen.length === 2)
    await sleep(300)
    expect(seen.map((m) => m.id)).toEqual([message.id, bobs.id])
    expect((await stored(roomId)).map((d) => d._id)).toEqual([message.id, bobs.id])
  })

  test('a message stored by a node that died before it could ack or cache it: the resend answers the stored one', async () => {
    const roomId = await cluster.createRoom()
    const ann = user('Ann')
    const clientId = randomId('c')
    // What the dead node left: the document in MongoDB, nothing in Redis (no sent key, no counter).
    const doc: MessageDoc = {
      _id: randomId('m'),
      roomId,
      seq: 1,
      userId: ann.id,
      userName: 'Ann',
      text: 'before the crash',
      ts: Date.now(),
      clientId,
    }
    await cluster.insertMessages([doc])
    const a = await cluster.join(cluster.node(1), ann, roomId)
    const seen = collect(a.socket, 'message')
    const resend = ok(await a.socket.emitWithAck('message', { roomId, text: 'before the crash', clientId }))
    expect(resend).toMatchObject({ id: doc._id, seq: 1, text: 'before the crash' })
    expect(await suite.redis.exists(RedisKeys.sent(roomId, ann.id, clientId))).toBe(1)
    const next = ok(await a.socket.emitWithAck('message', { roomId, text: 'after', clientId: randomId('c') }))
    expect(next.seq).toBeGreaterThan(1)
    await until('the new one arrives', () => seen.length === 1)
    await sleep(200)
    expect(seen.map((m) => m.text)).toEqual(['after'])
    expect((await stored(roomId)).map((d) => d.text)).toEqual(['before the crash', 'after'])
  })

  test('the same clientId racing on two nodes: one stored, both acks name it', async () => {
    const roomId = await cluster.createRoom()
    const ann = user('Ann')
    const [a, b] = [await cluster.join(cluster.node(0), ann, roomId), await cluster.join(cluster.node(1), ann, roomId)]
    const clientIds = Array.from({ length: 8 }, () => randomId('c'))
    const acks = await Promise.all(
      clientIds.flatMap((clientId) =>
        [a, b].map(({ socket }) => socket.emitWithAck('message', { roomId, text: clientId, clientId })),
      ),
    )
    const messages = acks.map(ok)
    for (let i = 0; i < clientIds.length; i++) expect(messages[2 * i]!.id).toBe(messages[2 * i + 1]!.id)
    const docs = await stored(roomId)
    expect(docs.map((d) => d.clientId).sort()).toEqual([...clientIds].sort())
  })
})

describe('edit_message and delete_message', () => {
  test('the author edits and deletes; others get FORBIDDEN, unknown ids BAD_REQUEST; history agrees everywhere', async () => {
    const roomId = await cluster.createRoom()
    const a = await cluster.join(cluster.node(0), user('Ann'), roomId)
    const b = await cluster.join(cluster.node(1), user('Bob'), roomId)
    const edited = collect(b.socket, 'message_edited')
    const deleted = collect(b.socket, 'message_deleted')
    const first = ok(await a.socket.emitWithAck('message', { roomId, text: 'frist', clientId: randomId('c') }))
    const second = ok(await a.socket.emitWithAck('message', { roomId, text: 'oops', clientId: randomId('c') }))

    expect(await b.socket.emitWithAck('edit_message', { roomId, id: first.id, text: 'hijack' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await b.socket.emitWithAck('delete_message', { roomId, id: first.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await a.socket.emitWithAck('edit_message', { roomId, id: 'no-such-id', text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    expect(await a.socket.emitWithAck('delete_message', { roomId, id: 'no-such-id' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    expect(await a.socket.emitWithAck('edit_message', { roomId, id: first.id, text: '' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    const other = await cluster.createRoom()
    expect(await a.socket.emitWithAck('edit_message', { roomId: other, id: first.id, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_IN_ROOM' },
    })

    const edit = await a.socket.emitWithAck('edit_message', { roomId, id: first.id, text: '  first  ' })
    const fixed = ok(edit)
    expect(fixed).toMatchObject({ id: first.id, seq: first.seq, text: 'first', user: first.user })
    expect(fixed.editedAt).toBeGreaterThanOrEqual(first.ts)
    expect(await a.socket.emitWithAck('delete_message', { roomId, id: second.id })).toEqual({ ok: true })
    // Deleting again changes nothing and tells nobody; editing a deleted message is refused.
    expect(await a.socket.emitWithAck('delete_message', { roomId, id: second.id })).toEqual({ ok: true })
    expect(await a.socket.emitWithAck('edit_message', { roomId, id: second.id, text: 'back' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    })
    await until('the edit and the deletion reach the other node', () => edited.length === 1 && deleted.length === 1)
    await sleep(200)
    expect(edited).toEqual([fixed])
    expect(deleted).toEqual([{ roomId, id: second.id, seq: second.seq }])

    const expected = [fixed, { ...second, text: '', deleted: true }]
    // A late joiner reads the Redis cache; after the cache is gone it reads MongoDB: the same either way.
    const late = await cluster.join(cluster.node(1), user('Late'), roomId)
    expect(late.ack.history).toEqual(expected)
    await suite.redis.del(RedisKeys.recent(roomId))
    const later = await cluster.join(cluster.node(0), user('Later'), roomId)
    expect(later.ack.history).toEqual(expected)
    const docs = await stored(roomId)
    expect(docs.map((d) => [d.text, d.deleted ?? false])).toEqual([
      ['first', false],
      ['', true],
    ])
  })
})

describe('recent history in Redis', () => {
  test('the join reads the cache while warm; warms it from MongoDB on a miss; keeps the latest 50', async () => {
    const roomId = await cluster.createRoom()
    const owner = user('Old')
    const docs: MessageDoc[] = Array.from({ length: 60 }, (_, i) => ({
      _id: randomId('m'),
      roomId,
      seq: i + 1,
      userId: owner.id,
      userName: 'Old',
      text: `old ${i + 1}`,
      ts: Date.now(),
    }))
    await cluster.insertMessages(docs)
    const first = await cluster.join(cluster.node(0), user('Ann'), roomId)
    expect(first.ack.history.map((m) => m.seq)).toEqual(docs.slice(10).map((d) => d.seq))
    expect(await suite.redis.zcard(RedisKeys.recent(roomId))).toBe(51)
    const sent = ok(await first.socket.emitWithAck('message', { roomId, text: 'new', clientId: randomId('c') }))
    expect(sent.seq).toBe(61)

    // A message written to MongoDB behind the gateways' back does not show: the join is served from Redis.
    await cluster.insertMessages([{ ...docs[0]!, _id: randomId('m'), seq: 1000, text: 'not through a gateway' }])
    const second = await cluster.join(cluster.node(1), user('Bob'), roomId)
    expect(second.ack.history.map((m) => m.seq)).toEqual([...docs.slice(11).map((d) => d.seq), 61])
    expect(await suite.redis.zcard(RedisKeys.recent(roomId))).toBe(51)
  })

  test('a join reads the history in its presence script; a cold one is warmed before its user appears', async () => {
    const roomId = await cluster.createRoom()
    const annUser = user('Ann')
    const ann = await cluster.join(cluster.node(0), annUser, roomId)
    const watcher = await cluster.join(cluster.node(1), user('Watcher'), roomId)
    const joined = collect(watcher.socket, 'user_joined')
    const sent = await Promise.all(
      ['one', 'two'].map((text, i) => ann.socket.emitWithAck('message', { roomId, text, clientId: `${roomId}-${i}` })),
    )
    const texts = sent.map((ack) => ok(ack).text).sort()

    // Redis's own log of commands: the history read is the one script with the cache as its only key and no argument.
    const monitor = await suite.redis.monitor()
    const historyReads: string[][] = []
    monitor.on('monitor', (_time: string, args: string[]) => {
      const [command, , keys, key] = args
      if (command?.toLowerCase().startsWith('eval') && keys === '1' && key === RedisKeys.recent(roomId) && args.length === 4)
        historyReads.push(args)
    })
    try {
      const bob = await cluster.join(cluster.node(0), user('Bob'), roomId)
      expect(bob.ack.history.map((m) => m.text).sort()).toEqual(texts)
      await sleep(100)
      expect(historyReads).toHaveLength(0)

      // Cold: the presence script does not make Carl appear; the history is warmed from MongoDB
      // (one read), then Carl is written and announced once.
      await suite.redis.del(RedisKeys.recent(roomId))
      const carl = await cluster.join(cluster.node(0), user('Carl'), roomId)
      expect(carl.ack.history.map((m) => m.text).sort()).toEqual(texts)
      expect(carl.ack.participants.map((p) => p.name).sort()).toEqual(['Ann', 'Bob', 'Carl', 'Watcher'])
      await until('the watcher hears of Bob and Carl', () => joined.length === 2)
      await sleep(200)
      expect(joined.map((e) => e.user.name)).toEqual(['Bob', 'Carl'])
      expect(historyReads).toHaveLength(1)
      expect(await suite.redis.zcard(RedisKeys.recent(roomId))).toBe(3)

      // A user in the room already (a second tab) is written by the script even when the cache is cold:
      // nothing can be announced of them.
      await suite.redis.del(RedisKeys.recent(roomId))
      const tab = await cluster.join(cluster.node(0), annUser, roomId)
      expect(tab.ack.history.map((m) => m.text).sort()).toEqual(texts)
      const fields = await suite.redis.hgetall(RedisKeys.presence(roomId))
      expect(Object.entries(fields).filter(([field]) => field.startsWith(`${annUser.id}|`))).toEqual([[expect.any(String), '2']])
      await sleep(200)
      expect(joined).toHaveLength(2)
      expect(historyReads).toHaveLength(2)
    } finally {
      monitor.disconnect()
    }
  })
})

test('a flooding socket gets the ack of every event it was granted before it is cut off', async () => {
  const roomId = await cluster.createRoom()
  const { socket } = await cluster.join(cluster.node(0), user('Flooder'), roomId)
  const acks: { ok: boolean; at: number }[] = []
  let disconnectedAt = 0
  socket.once('disconnect', () => {
    disconnectedAt = acks.length
  })
  const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve))
  // Burst 10 granted, then refusals until the strikes (burst 50) run out.
  for (let i = 0; i < 100; i++) {
    socket.emit('message', { roomId, text: `flood ${i}`, clientId: `flood-${i}` }, (ack) => {
      acks.push({ ok: ack.ok, at: i })
    })
  }
  expect(await reason).toBe('io server disconnect')
  const granted = acks.filter((a) => a.ok)
  expect(granted.length).toBeGreaterThanOrEqual(10)
  expect(await stored(roomId)).toHaveLength(granted.length)
  expect(disconnectedAt).toBe(acks.length)
})

test('messages arriving while a write is in flight are written together', async () => {
  const roomId = await cluster.createRoom()
  const sockets = await Promise.all(Array.from({ length: 6 }, (_, i) => cluster.join(cluster.node(0), user(`S${i}`), roomId)))
  const acks = await Promise.all(
    sockets.flatMap(({ socket }, s) =>
      Array.from({ length: 8 }, (_, i) => socket.emitWithAck('message', { roomId, text: `${s}.${i}`, clientId: `c${s}-${i}` })),
    ),
  )
  expect(acks.every((ack) => ack.ok)).toBe(true)
  const metrics = await (await fetch(`http://127.0.0.1:${cluster.node(0).port}/metrics`)).text()
  const count = Number(/hangout_gateway_chat_batch_messages_count\{[^}]*\} (\d+)/.exec(metrics)?.[1])
  const sum = Number(/hangout_gateway_chat_batch_messages_sum\{[^}]*\} (\d+)/.exec(metrics)?.[1])
  console.log(`${sum} messages in ${count} writes on node 0`)
  expect(sum).toBeGreaterThanOrEqual(48)
  expect(count).toBeLessThan(sum)
})
