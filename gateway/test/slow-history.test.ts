import type { JoinRoomAck } from '@hangout/protocol'
import { DEFAULT_MONGO_URL } from '@hangout/runtime'
import { nodeOfPresenceField, RedisKeys } from '@hangout/store'
import { Redis } from 'ioredis'
import { TcpProxy } from '@hangout/testkit/tcp-proxy'
import { Cluster, collect, signToken, sleep, user } from '@hangout/testkit/gateway-cluster'

// The gateways reach MongoDB through a proxy that can hold its replies: a history read that
// outlasts the disconnect grace of the socket that asked for it.
const GRACE_MS = 500
let proxy: TcpProxy
let cluster: Cluster
let redis: Redis

beforeAll(async () => {
  const mongoPort = Number(new URL((process.env.MONGO_URL ?? DEFAULT_MONGO_URL).replace(/^mongodb:/, 'http:')).port)
  proxy = await TcpProxy.start(mongoPort)
  cluster = new Cluster({ GRACE_MS: String(GRACE_MS) }, `mongodb://127.0.0.1:${proxy.port}`)
  await cluster.start(2)
  redis = new Redis(cluster.redisUrl)
}, 120_000)
afterAll(async () => {
  proxy.flow()
  redis?.disconnect()
  await cluster.stop()
  await proxy.stop()
})

test('a socket that disconnects while its join reads the history, past its grace, is never counted', async () => {
  const roomId = await cluster.createRoom()
  const observer = await cluster.join(cluster.node(1), user('Observer'), roomId)
  const joined = collect(observer.socket, 'user_joined')
  const leaved = collect(observer.socket, 'user_leaved')
  // Node 0 has the room looked up already: the next join there waits only on the history read.
  await cluster.join(cluster.node(0), user('Warm'), roomId)
  const gone = user('Gone')
  await cluster.addUser(gone)
  const socket = await cluster.connect(cluster.node(0), signToken(gone), roomId)
  // The recent history cold: the join's presence script leaves Gone out, and the join waits on
  // MongoDB for the history before it would write Gone.
  await redis.del(RedisKeys.recent(roomId))

  proxy.stall()
  socket.emit('join_room', { roomId }, () => undefined)
  await sleep(100)
  socket.disconnect()
  await sleep(GRACE_MS + 500)
  proxy.flow()

  // The join's history read answers now, long after its socket's grace ended.
  await sleep(1000)
  expect((await redis.hkeys(RedisKeys.presence(roomId))).filter((f) => f.startsWith(`${gone.id}|`))).toEqual([])
  const late = await cluster.join(cluster.node(0), user('Late'), roomId)
  expect(late.ack.participants.map((p) => p.id)).not.toContain(gone.id)
  expect(joined.filter((e) => e.user.id === gone.id)).toHaveLength(leaved.filter((e) => e.user.id === gone.id).length)
}, 60_000)

test('a reconnect to a node that has not looked the room up, slower than the grace, is silent (the rebalance flap)', async () => {
  const roomId = await cluster.createRoom()
  // Node 0 knows the room; node 1 has never looked it up, as a node a rebalance sends sockets to.
  const observer = await cluster.join(cluster.node(0), user('Observer'), roomId)
  const joined = collect(observer.socket, 'user_joined')
  const leaved = collect(observer.socket, 'user_leaved')
  const mover = user('Mover')
  const before = await cluster.join(cluster.node(0), mover, roomId)
  const moved = await cluster.connect(cluster.node(1), signToken(mover), roomId)

  proxy.stall()
  before.socket.disconnect()
  const ack = moved.timeout(20_000).emitWithAck('join_room', { roomId }) as Promise<JoinRoomAck>
  // The room lookup on node 1 waits on MongoDB well past the old socket's grace on node 0.
  await sleep(GRACE_MS * 4)
  proxy.flow()
  const answer = await ack
  expect(answer.ok && answer.participants.map((p) => p.id).sort()).toEqual([observer.ack.participants[0]?.id, mover.id].sort())
  await sleep(GRACE_MS * 2)
  expect(leaved.filter((e) => e.user.id === mover.id)).toEqual([])
  expect(joined.filter((e) => e.user.id === mover.id)).toHaveLength(1) // its first join, before the move
  const fields = await redis.hkeys(RedisKeys.presence(roomId))
  expect(fields.filter((f) => f.startsWith(`${mover.id}|`)).map(nodeOfPresenceField)).toEqual([cluster.node(1).id])
  moved.disconnect()
  observer.socket.disconnect()
})
