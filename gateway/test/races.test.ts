import type { JoinRoomAck, PublicUser, SimpleAck } from '@hangout/protocol'
import { nodeOfPresenceField, RedisKeys } from '@hangout/store'
import { type Client, collect, signToken, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// The named races of issue 13, each through real gateway processes: none may leave a ghost (a
// user listed with no socket), and every user_joined an observer saw has its user_leaved.
const GRACE_MS = 1000
const suite = gatewaySuite({ nodes: 2, env: { GRACE_MS: String(GRACE_MS) } })
const { cluster } = suite

/** A room with an observer on node 1, who records what it is told about others. */
async function observedRoom() {
  const roomId = await cluster.createRoom()
  const observer = await cluster.join(cluster.node(1), user('Observer'), roomId)
  return {
    roomId,
    observer,
    joined: collect(observer.socket, 'user_joined'),
    leaved: collect(observer.socket, 'user_leaved'),
  }
}

async function fieldsOf(roomId: string, who: PublicUser): Promise<string[]> {
  return (await suite.redis.hkeys(RedisKeys.presence(roomId))).filter((f) => f.startsWith(`${who.id}|`))
}

/** No field of the user is left, a late joiner does not see them, and the observer's events balance. */
async function expectGone(room: Awaited<ReturnType<typeof observedRoom>>, who: PublicUser): Promise<void> {
  expect(await fieldsOf(room.roomId, who)).toEqual([])
  const late = await cluster.join(cluster.node(0), user('Late'), room.roomId)
  expect(late.ack.participants.map((p) => p.id)).not.toContain(who.id)
  late.socket.disconnect()
  const joins = room.joined.filter((e) => e.user.id === who.id).length
  const leaves = room.leaved.filter((e) => e.user.id === who.id).length
  expect(leaves).toBe(joins)
}

async function connected(who: PublicUser, roomId: string): Promise<Client> {
  await cluster.addUser(who)
  return cluster.connect(cluster.node(0), signToken(who), roomId)
}

test('leave_room sent before the join’s ack (the Back button during a slow join) leaves no ghost', async () => {
  for (let i = 0; i < 4; i++) {
    const room = await observedRoom()
    const back = user('Back')
    const socket = await connected(back, room.roomId)
    // Both in one tick: the leave reaches the node while the join still looks the room up.
    const [joinAck, leaveAck] = await Promise.all([
      socket.timeout(10_000).emitWithAck('join_room', { roomId: room.roomId }) as Promise<JoinRoomAck>,
      socket.timeout(10_000).emitWithAck('leave_room', { roomId: room.roomId }) as Promise<SimpleAck>,
    ])
    expect(joinAck.ok).toBe(true)
    expect(leaveAck).toEqual({ ok: true })
    await sleep(200)
    await expectGone(room, back)
    socket.disconnect()
  }
})

test('quick join/leave pairs without waiting end as the last one says, counted once', async () => {
  const room = await observedRoom()
  const quick = user('Quick')
  const socket = await connected(quick, room.roomId)
  const acks: Promise<unknown>[] = []
  for (let i = 0; i < 6; i++) {
    acks.push(socket.timeout(10_000).emitWithAck('join_room', { roomId: room.roomId }))
    acks.push(socket.timeout(10_000).emitWithAck('leave_room', { roomId: room.roomId }))
  }
  for (const ack of await Promise.all(acks)) expect(ack).toMatchObject({ ok: true })
  await sleep(200)
  await expectGone(room, quick)

  // Ending on a join: present once, with one socket.
  for (let i = 0; i < 3; i++) {
    socket.emit('leave_room', { roomId: room.roomId }, () => undefined)
    socket.emit('join_room', { roomId: room.roomId }, () => undefined)
  }
  const last = (await socket.timeout(10_000).emitWithAck('join_room', { roomId: room.roomId })) as JoinRoomAck
  expect(last.ok && last.participants.filter((p) => p.id === quick.id)).toHaveLength(1)
  const presence = await suite.redis.hgetall(RedisKeys.presence(room.roomId))
  const quickFields = Object.entries(presence).filter(([f]) => f.startsWith(`${quick.id}|`))
  expect(quickFields.map(([f, sockets]) => [nodeOfPresenceField(f), sockets])).toEqual([[cluster.node(0).id, '1']])
  const leavesBefore = room.leaved.filter((e) => e.user.id === quick.id).length
  socket.disconnect()
  await until('the grace ends', () => room.leaved.filter((e) => e.user.id === quick.id).length > leavesBefore, GRACE_MS + 5000)
  await expectGone(room, quick)
})

test('a join storm on one node: each socket hears of every other user once, by its ack or by one user_joined', async () => {
  const roomId = await cluster.createRoom()
  const users = Array.from({ length: 24 }, (_, i) => user(`Storm ${i}`))
  const sockets = await Promise.all(users.map((who) => connected(who, roomId)))
  const heard = sockets.map((socket) => collect(socket, 'user_joined'))
  // All in one tick: the node takes them in a few reads, so joins overlap and share scripts.
  const acks = (await Promise.all(
    sockets.map((socket) => socket.timeout(20_000).emitWithAck('join_room', { roomId })),
  )) as JoinRoomAck[]
  const others = (i: number) => users.filter((_, k) => k !== i).map((u) => u.id)
  const told = (i: number) => {
    const ack = acks[i]
    if (!ack?.ok) throw new Error(`join ${i} failed: ${JSON.stringify(ack)}`)
    const byAck = ack.participants.map((p) => p.id).filter((id) => id !== users[i]?.id)
    return [...byAck, ...(heard[i] ?? []).map((e) => e.user.id)]
  }
  await until('every socket knows every other user', () => users.every((_, i) => new Set(told(i)).size === users.length - 1))
  await sleep(300)
  for (let i = 0; i < users.length; i++) expect(told(i).sort()).toEqual(others(i).sort())
  for (const socket of sockets) socket.disconnect()
})

test('a disconnect while the room lookup is in flight leaves no ghost', async () => {
  for (let i = 0; i < 4; i++) {
    // A room this node has not looked up yet: the join waits on MongoDB when the socket goes.
    const room = await observedRoom()
    const gone = user('Gone')
    const socket = await connected(gone, room.roomId)
    socket.emit('join_room', { roomId: room.roomId }, () => undefined)
    socket.disconnect()
    await sleep(GRACE_MS + 700)
    await expectGone(room, gone)
  }
})

test('a disconnect at any point of a join into a room the node knows leaves no ghost (history past the grace: slow-history.test.ts)', async () => {
  const room = await observedRoom()
  // Node 0 has the room cached: the join goes straight to the subscription, the history and the write.
  const warm = await cluster.join(cluster.node(0), user('Warm'), room.roomId)
  for (let i = 0; i < 6; i++) {
    const gone = user('Gone')
    const socket = await connected(gone, room.roomId)
    socket.emit('join_room', { roomId: room.roomId }, () => undefined)
    // Spread the disconnect over the join's awaits.
    if (i > 0) await sleep(i * 3)
    socket.disconnect()
    await sleep(GRACE_MS + 700)
    await expectGone(room, gone)
  }
  warm.socket.disconnect()
})

test('a leave whose write times out (Redis paused past the command timeout) is repaired and announced once', async () => {
  const room = await observedRoom()
  const slow = user('SlowLeave')
  const { socket } = await cluster.join(cluster.node(0), slow, room.roomId)
  await until('the observer saw the join', () => room.joined.some((e) => e.user.id === slow.id))
  // Longer than the gateway's 2 s command timeout, shorter than the 4 s node TTL.
  await suite.redis.call('CLIENT', 'PAUSE', '3000', 'ALL')
  const ack = await socket.timeout(10_000).emitWithAck('leave_room', { roomId: room.roomId })
  expect(ack).toEqual({ ok: true })
  await until('user_leaved after Redis answers again', () => room.leaved.some((e) => e.user.id === slow.id), 10_000)
  await sleep(1500)
  expect(room.leaved.filter((e) => e.user.id === slow.id)).toHaveLength(1)
  await expectGone(room, slow)
  socket.disconnect()
})
