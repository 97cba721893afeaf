/**
 * An idle room's Redis keys expire (real gateway, real Redis): its chat counter comes back from
 * MongoDB, so seq keeps growing and history is whole; its shopping state starts again.
 */
import { RedisKeys } from '@hangout/store'
import { waitFor } from '@hangout/testkit/process'
import { sleep, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

const IDLE_MS = 1500
const suite = gatewaySuite({ nodes: 1, env: { IDLE_ROOM_TTL_MS: String(IDLE_MS), GRACE_MS: '200' } })
const { cluster } = suite

test('a room left idle leaves Redis; chat goes on from MongoDB with the next seq', async () => {
  const roomId = await cluster.createRoom()
  const first = await cluster.join(cluster.node(0), user('Ida'), roomId)
  expect(await first.socket.emitWithAck('message', { roomId, text: 'one' })).toMatchObject({ ok: true, message: { seq: 1 } })
  expect(await first.socket.emitWithAck('page_change', { roomId, page: 3 })).toEqual({ ok: true })
  // The state is written behind the node's memory (STATE_WRITE_MS).
  await waitFor('the state in Redis', async () => (await suite.redis.exists(RedisKeys.state(roomId))) === 1, 5000)
  for (const key of [RedisKeys.seq(roomId), RedisKeys.state(roomId)]) {
    const ttl = await suite.redis.pttl(key)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(IDLE_MS)
  }
  // Activity renews the expiry; idleness lets it run out.
  await sleep(IDLE_MS / 2)
  expect(await first.socket.emitWithAck('message', { roomId, text: 'two' })).toMatchObject({ ok: true, message: { seq: 2 } })
  expect(await suite.redis.pttl(RedisKeys.seq(roomId))).toBeGreaterThan(IDLE_MS / 2)
  first.socket.disconnect()
  await sleep(IDLE_MS + 300)
  expect(await suite.redis.exists(RedisKeys.seq(roomId), RedisKeys.state(roomId))).toBe(0)

  const back = await cluster.join(cluster.node(0), user('Back'), roomId)
  expect(back.ack.history.map((m) => [m.seq, m.text])).toEqual([
    [1, 'one'],
    [2, 'two'],
  ])
  expect(back.ack.state).toEqual({ page: 1, top: 0, highlights: {} })
  expect(await back.socket.emitWithAck('message', { roomId, text: 'three' })).toMatchObject({ ok: true, message: { seq: 3 } })
})
