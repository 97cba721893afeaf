import { RedisKeys } from '@hangout/protocol'
import { Redis } from 'ioredis'
import { Cluster, collect, sleep, until, user } from './helpers.js'

// A short TTL, so that a pause of a couple of seconds gets a node reaped while its sockets stay connected.
const GRACE_MS = 1000
const cluster = new Cluster({ GRACE_MS: String(GRACE_MS), HEARTBEAT_MS: '200', NODE_TTL_MS: '800' })
let redis: Redis

beforeAll(async () => {
  await cluster.start(2)
  redis = new Redis(cluster.redisUrl)
}, 120_000)
afterAll(async () => {
  redis?.disconnect()
  await cluster.stop()
})

test('a node reaped while alive (kill -STOP past its TTL) never restores its presence; its sockets are sent to reconnect and rejoin cleanly', async () => {
  const roomId = await cluster.createRoom()
  const [frozenNode, otherNode] = [cluster.node(0), cluster.node(1)]
  const observer = await cluster.join(otherNode, user('Observer'), roomId)
  const left = collect(observer.socket, 'user_leaved')
  const joinedEvents = collect(observer.socket, 'user_joined')
  const paused = user('Paused')
  const first = await cluster.join(frozenNode, paused, roomId)
  const rebalances = collect(first.socket, 'rebalance')
  let disconnectReason = ''
  first.socket.on('disconnect', (reason) => {
    disconnectReason = reason
  })
  const fieldsOf = async (nodeId: string) =>
    (await redis.hkeys(RedisKeys.presence(roomId))).filter((field) => field.endsWith(`|${nodeId}`))
  expect(await fieldsOf(frozenNode.id)).toEqual([`${paused.id}|${frozenNode.id}`])

  const pid = frozenNode.proc.pid
  if (!pid) throw new Error('no pid')
  process.kill(pid, 'SIGSTOP')
  try {
    await until('the paused node reaped', () => left.some((e) => e.user.id === paused.id), 10_000)
  } finally {
    process.kill(pid, 'SIGCONT')
  }
  expect(await fieldsOf(frozenNode.id)).toEqual([])

  // The resumed node writes nothing back (the old restore did, at once), and sends its socket away.
  const resumedAt = Date.now()
  let staleSamples = 0
  while (Date.now() - resumedAt < 1500) {
    if ((await fieldsOf(frozenNode.id)).length > 0) staleSamples++
    await sleep(25)
  }
  expect(staleSamples).toBe(0)
  await until('the paused socket was disconnected by the node', () => disconnectReason === 'io server disconnect', 5000)
  expect(rebalances.map((r) => r.roomId)).toEqual([roomId])

  // Coming back on the same node is announced once and counted once, and the old socket's grace takes nothing out.
  const again = await cluster.join(frozenNode, paused, roomId)
  await until('the rejoin announced', () => joinedEvents.some((e) => e.user.id === paused.id))
  expect(again.ack.participants.map((p) => p.id).sort()).toEqual([observer.ack.participants[0]?.id, paused.id].sort())
  await sleep(GRACE_MS + 500)
  expect(await fieldsOf(frozenNode.id)).toEqual([`${paused.id}|${frozenNode.id}`])
  expect(await redis.hget(RedisKeys.presence(roomId), `${paused.id}|${frozenNode.id}`)).toBe('1')
  expect(left.filter((e) => e.user.id === paused.id)).toHaveLength(1)
  expect(await redis.exists(RedisKeys.nodeReaper(frozenNode.id))).toBe(0)
}, 60_000)
