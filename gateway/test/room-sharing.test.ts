import type { ChatMessage, JoinRoomAck, MessageAck } from '@hangout/protocol'
import { decodeRoomState, RedisKeys, RoomRecords } from '@hangout/store'
import fc from 'fast-check'
import { Redis } from 'ioredis'
import { Cluster, type Client, collect, type Node, signToken, sleep, until, user } from '@hangout/testkit/gateway-cluster'

// Rooms at home broadcast without Redis; a node that joins makes the room shared before its join
// completes. Room state is written behind (a long interval here, so that only the flush a joiner
// or a stop asks for can put it in Redis in time).
const STATE_WRITE_MS = 1000
const cluster = new Cluster({
  CHAT_RATE: '100000',
  CHAT_BURST: '100000',
  GRACE_MS: '300',
  STATE_WRITE_MS: String(STATE_WRITE_MS),
})
let redis: Redis

beforeAll(async () => {
  await cluster.start(2)
  redis = new Redis(cluster.redisUrl)
}, 120_000)
afterAll(async () => {
  redis?.disconnect()
  await cluster.stop()
})

async function broadcasts(node: Node): Promise<{ local: number; cluster: number }> {
  const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text()
  const count = (path: string) =>
    Number(text.match(new RegExp(`^hangout_gateway_room_broadcasts_total\\{path="${path}"[^}]*\\} (\\d+)`, 'm'))?.[1] ?? 0)
  return { local: count('local'), cluster: count('cluster') }
}

async function say(socket: Client, roomId: string, text: string): Promise<ChatMessage> {
  const ack: MessageAck = await socket.timeout(10_000).emitWithAck('message', { roomId, text, clientId: `c-${text}` })
  if (!ack.ok) throw new Error(`message refused: ${JSON.stringify(ack)}`)
  return ack.message
}

test('a room with members on one node broadcasts locally; shared while another node has members; local again after', async () => {
  const [home, other] = [cluster.node(0), cluster.node(1)]
  const roomId = await cluster.createRoom()
  const ana = await cluster.join(home, user('Ana'), roomId)
  const bea = await cluster.join(home, user('Bea'), roomId)
  const seenByBea = collect(bea.socket, 'message')

  const before = await broadcasts(home)
  await say(ana.socket, roomId, 'alone-1')
  await until('Bea got it', () => seenByBea.length === 1)
  const alone = await broadcasts(home)
  expect(alone.local).toBeGreaterThan(before.local)
  expect(alone.cluster).toBe(before.cluster)

  const cem = await cluster.join(other, user('Cem'), roomId)
  const seenByCem = collect(cem.socket, 'message')
  await say(ana.socket, roomId, 'shared-1')
  await until('Cem got it', () => seenByCem.some((m) => m.text === 'shared-1'))
  expect((await broadcasts(home)).cluster).toBeGreaterThan(alone.cluster)

  const left = await cem.socket.timeout(10_000).emitWithAck('leave_room', { roomId })
  expect(left).toEqual({ ok: true })
  // The bye reaches the home a moment after the leave's ack: from then on its broadcasts are local.
  let wentLocal = false
  for (let i = 0; i < 100 && !wentLocal; i++) {
    const was = await broadcasts(home)
    await say(ana.socket, roomId, `after-${i}`)
    wentLocal = (await broadcasts(home)).local > was.local
    if (!wentLocal) await sleep(50)
  }
  expect(wentLocal).toBe(true)
  const after = await broadcasts(home)
  await say(ana.socket, roomId, 'alone-again')
  expect((await broadcasts(home)).local).toBeGreaterThan(after.local)
  expect(seenByBea.at(-1)?.text).toBe('alone-again')
  ana.socket.disconnect()
  bea.socket.disconnect()
  cem.socket.disconnect()
})

test('a node joining while the home broadcasts gets every message sent after its join ack (fast-check over interleavings)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom(0, 300),
      async (joinAfterMs, pauseMs, freezeMs) => {
        const [home, other] = [cluster.node(0), cluster.node(1)]
        const roomId = await cluster.createRoom()
        const ana = await cluster.join(home, user('Ana'), roomId)
        const joiner = user('Joiner')
        await cluster.addUser(joiner)
        const late = await cluster.connect(other, signToken(joiner), roomId)
        const got = collect(late, 'message')

        let sent = 0
        let afterAck: number | undefined
        let stop = false
        const acks: Promise<unknown>[] = []
        const flood = (async () => {
          while (!stop) {
            const text = `${roomId}-${sent++}`
            acks.push(say(ana.socket, roomId, text))
            await sleep(pauseMs)
          }
        })()
        await sleep(joinAfterMs)
        // The home frozen while the joiner's hello arrives: the join must wait for its answer.
        if (freezeMs > 0) {
          home.proc.signal('SIGSTOP')
          setTimeout(() => home.proc.signal('SIGCONT'), freezeMs)
        }
        const joined: JoinRoomAck = await late.timeout(10_000).emitWithAck('join_room', { roomId })
        expect(joined.ok).toBe(true)
        afterAck = sent
        // Some more after the ack, then stop.
        await until('messages after the ack', () => sent >= (afterAck ?? 0) + 10)
        stop = true
        await flood
        await Promise.all(acks)
        const expected = Array.from({ length: sent - afterAck }, (_, i) => `${roomId}-${afterAck + i}`)
        await until('the late joiner got every message sent after its ack', () =>
          expected.every((t) => got.some((m) => m.text === t)),
        )
        // In order, too.
        const texts = got.map((m) => m.text).filter((t) => expected.includes(t))
        expect(texts).toEqual(expected)
        ana.socket.disconnect()
        late.disconnect()
      },
    ),
    { numRuns: 8 },
  )
}, 120_000)

test('a late joiner sees the latest state at once, on the same node and on another node (the home flushes first)', async () => {
  const [home, other] = [cluster.node(0), cluster.node(1)]
  const roomId = await cluster.createRoom()
  const ana = await cluster.join(home, user('Ana'), roomId)
  await ana.socket.timeout(10_000).emitWithAck('page_change', { roomId, page: 3 })
  await ana.socket.timeout(10_000).emitWithAck('click_event', { roomId, productId: 7 })
  await ana.socket.timeout(10_000).emitWithAck('scroll_update', { roomId, top: 0.25 })
  // Written behind: Redis does not have it yet (the interval is a second long).
  expect(decodeRoomState(await redis.hgetall(RedisKeys.state(roomId))).page).toBe(1)

  const same = await cluster.join(home, user('Same'), roomId)
  expect(same.ack.state).toEqual({ page: 3, top: 0.25, highlights: { [ana.ack.participants[0]?.id ?? '']: 7 } })

  await ana.socket.timeout(10_000).emitWithAck('page_change', { roomId, page: 2 })
  const elsewhere = await cluster.join(other, user('Elsewhere'), roomId)
  expect(elsewhere.ack.state).toMatchObject({ page: 2, top: 0.25 })
  expect(Object.values(elsewhere.ack.state.highlights)).toEqual([7])

  // Now shared: a change at the home reaches the other node's memory, and a joiner there sees it.
  await ana.socket.timeout(10_000).emitWithAck('scroll_update', { roomId, top: 0.5 })
  await sleep(100)
  const next = await cluster.join(other, user('Next'), roomId)
  expect(next.ack.state).toMatchObject({ page: 2, top: 0.5 })
  for (const client of [ana, same, elsewhere, next]) client.socket.disconnect()
})

test('a stop writes what was kept back', async () => {
  const node = await cluster.addNode()
  const roomId = await cluster.createRoom()
  const ana = await cluster.join(node, user('Ana'), roomId)
  await ana.socket.timeout(10_000).emitWithAck('page_change', { roomId, page: 3 })
  await ana.socket.timeout(10_000).emitWithAck('scroll_update', { roomId, top: 0.75 })
  expect(decodeRoomState(await redis.hgetall(RedisKeys.state(roomId))).page).toBe(1)
  await node.proc.stop(15_000)
  expect(decodeRoomState(await redis.hgetall(RedisKeys.state(roomId)))).toMatchObject({ page: 3, top: 0.75 })
  ana.socket.disconnect()
}, 60_000)

test('a peer killed with -9 says no bye: the room stays shared until its heartbeat expires, then local again', async () => {
  const home = cluster.node(0)
  const doomed = await cluster.addNode()
  const roomId = await cluster.createRoom()
  const ana = await cluster.join(home, user('Ana'), roomId)
  const dan = await cluster.join(doomed, user('Dan'), roomId)
  await doomed.proc.kill()
  const killed = await broadcasts(home)
  await say(ana.socket, roomId, 'right-after-kill')
  // Its heartbeat has not expired yet (NODE_TTL_MS, 4 s): still shared.
  expect((await broadcasts(home)).cluster).toBeGreaterThan(killed.cluster)
  let wentLocal = false
  // The default TTL is 4 s; reaping follows within a census or two.
  for (let i = 0; i < 150 && !wentLocal; i++) {
    const was = await broadcasts(home)
    await say(ana.socket, roomId, `after-kill-${i}`)
    wentLocal = (await broadcasts(home)).local > was.local
    if (!wentLocal) await sleep(100)
  }
  expect(wentLocal).toBe(true)
  ana.socket.disconnect()
  dan.socket.disconnect()
}, 60_000)

test("a user's own room (named only in `except`) gets no shard channel; the chat room does, on each node with members", async () => {
  const [home, other] = [cluster.node(0), cluster.node(1)]
  const roomId = await cluster.createRoom()
  const dan = user('Dan')
  await cluster.join(home, dan, roomId)
  await cluster.join(other, user('Eve'), roomId)
  await cluster.join(other, dan, roomId)
  const channels = (await redis.call('PUBSUB', 'SHARDCHANNELS')) as string[]
  expect(channels.filter((c) => c.includes(roomId))).toHaveLength(1)
  expect(channels.filter((c) => c.includes(`user:${dan.id}`))).toEqual([])
  const [, subscribers] = (await redis.call('PUBSUB', 'SHARDNUMSUB', channels.find((c) => c.includes(roomId)) as string)) as [
    string,
    number,
  ]
  expect(subscribers).toBe(2)
})

test("a room read from MongoDB (one the API did not create) has its record written to Redis for the other nodes' joins", async () => {
  const roomId = await cluster.createRoom()
  expect(await redis.exists(RedisKeys.record(roomId))).toBe(0)
  await cluster.join(cluster.node(0), user('Fay'), roomId)
  // Sent before the join's presence write, on the same connection: in Redis by the time of the ack.
  expect(JSON.parse((await redis.get(RedisKeys.record(roomId))) as string)).toMatchObject({ id: roomId, name: `Room ${roomId}` })
  expect((await cluster.join(cluster.node(1), user('Gus'), roomId)).ack).toMatchObject({ ok: true, room: { id: roomId } })
})

test('a join into a room recorded in Redis claims nothing; into a room only MongoDB has, the join claims its user first', async () => {
  const [recordedRoom, storedRoom] = [await cluster.createRoom(), await cluster.createRoom()]
  // As the API records the rooms it creates.
  await new RoomRecords(redis).put({ id: recordedRoom, name: 'Recorded', ownerId: 'o', createdAt: new Date(0).toISOString() })
  // Redis's own log: a claim is the presence script with no snapshot and its entry's condition 1 ("only if present").
  const monitor = await redis.monitor()
  const claims: string[] = []
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args[0]?.toLowerCase().startsWith('eval') && args[2] === '4' && args[9] === '0' && args.at(-1) === '1')
      claims.push(args[3] as string)
  })
  try {
    await cluster.join(cluster.node(0), user('Hal'), recordedRoom)
    await cluster.join(cluster.node(0), user('Ivy'), storedRoom)
    await sleep(100)
    expect(claims).toEqual([RedisKeys.presence(storedRoom)])
  } finally {
    monitor.disconnect()
  }
})
