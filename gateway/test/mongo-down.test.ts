import { waitFor } from '@hangout/testkit/process'
import { collect, signToken, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'
import type { ChatMessage, JoinRoomAck } from '@hangout/protocol'
import { RedisKeys } from '@hangout/store'
import { Redis } from 'ioredis'

// A MongoDB-wire server of this suite's own, so that it can be stopped (the shared one never is).
const suite = gatewaySuite({ nodes: 2, env: { GRACE_MS: '1000' }, privateMongo: true })
const { cluster } = suite

test('MongoDB down: message answers INTERNAL and reaches nobody, a join is served from the Redis history (refused when that is cold), other events work, chat recovers', async () => {
  const roomId = await cluster.createRoom()
  const a = await cluster.join(cluster.node(0), user('Ann'), roomId)
  const b = await cluster.join(cluster.node(1), user('Bob'), roomId)
  const messages = collect(b.socket, 'message')
  const clicks = collect(b.socket, 'user_clicked')
  expect(await a.socket.emitWithAck('message', { roomId, text: 'before' })).toMatchObject({ ok: true, message: { seq: 1 } })
  await until('the first message arrives', () => messages.length === 1)

  const [third, fifth] = [user('Third'), user('Fifth')]
  await Promise.all([cluster.addUser(third), cluster.addUser(fifth)])

  await suite.mongo.kill()
  const failed = await a.socket.timeout(10_000).emitWithAck('message', { roomId, text: 'while down' })
  expect(failed).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
  expect(await a.socket.emitWithAck('click_event', { roomId, productId: 9 })).toEqual({ ok: true })
  await until('the click still crosses nodes', () => clicks.length === 1)
  const joinedEvents = collect(b.socket, 'user_joined')
  // The handshake reads no database (its checks are in Redis): a user never seen before gets in.
  // The room's latest messages are in Redis: a join needs no MongoDB.
  const thirdSocket = await cluster.connect(cluster.node(0), signToken(third), roomId)
  const warm: JoinRoomAck = await thirdSocket.timeout(10_000).emitWithAck('join_room', { roomId })
  expect(warm.ok && warm.history.map((m: ChatMessage) => m.text)).toEqual(['before'])
  await until('the others hear of Third', () => joinedEvents.length === 1)
  // Once the cache is gone the join needs MongoDB: refused, and nobody hears of it.
  const redis = new Redis(cluster.redisUrl)
  await redis.del(RedisKeys.recent(roomId))
  redis.disconnect()
  const fifthSocket = await cluster.connect(cluster.node(0), signToken(fifth), roomId)
  expect(await fifthSocket.timeout(10_000).emitWithAck('join_room', { roomId })).toMatchObject({
    ok: false,
    error: { code: 'INTERNAL' },
  })
  await sleep(200)
  expect(messages).toHaveLength(1)
  expect(joinedEvents).toHaveLength(1)

  await suite.mongo.restart()
  await waitFor(
    'chat works again',
    async () => (await a.socket.timeout(10_000).emitWithAck('message', { roomId, text: 'after' })).ok,
    30_000,
    500,
  )
  const late = await cluster.join(cluster.node(1), user('Late'), roomId)
  expect(late.ack.history.map((m) => m.text)).toEqual(['before', 'after'])
  const seqs = late.ack.history.map((m) => m.seq)
  expect(seqs[1]).toBeGreaterThan(seqs[0]!)
  await until('the message after the outage arrives', () => messages.length === 2)
  expect(messages.map((m) => m.text)).toEqual(['before', 'after'])
})
