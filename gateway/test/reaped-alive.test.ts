import { nodeOfPresenceField, RedisKeys, userOfPresenceField } from '@hangout/store'
import type { RingResponse } from '@hangout/protocol'
import { collect, type Node, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// A short TTL, so that a pause of a couple of seconds gets a node reaped while its sockets stay connected.
const GRACE_MS = 1000
const suite = gatewaySuite({ nodes: 2, env: { GRACE_MS: String(GRACE_MS), HEARTBEAT_MS: '200', NODE_TTL_MS: '800' } })
const { cluster } = suite

/** A room whose home on the two nodes' ring is `node`: the ring's sweep never sends its sockets there away. */
async function roomHomedOn(node: Node): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const roomId = await cluster.createRoom()
    // Both nodes' rings agree (a node that has not seen the other yet homes every room on itself).
    const homes = await Promise.all(
      [cluster.node(0), cluster.node(1)].map(async ({ port }) => {
        const answer = await fetch(`http://127.0.0.1:${port}/ring/${roomId}`)
        return answer.ok ? ((await answer.json()) as RingResponse).node : undefined
      }),
    )
    if (homes.every((home) => home === node.id)) return roomId
    await sleep(50)
  }
  throw new Error(`no room homed on ${node.id} within 10 s`)
}

test('a node reaped while alive (kill -STOP past its TTL) never restores its presence; its sockets are sent to reconnect and rejoin cleanly', async () => {
  const [frozenNode, otherNode] = [cluster.node(0), cluster.node(1)]
  // Homed on the frozen node: a socket there is told to move once, by the freeze, never before it by the sweep.
  const roomId = await roomHomedOn(frozenNode)
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
    (await suite.redis.hkeys(RedisKeys.presence(roomId))).filter((field) => nodeOfPresenceField(field) === nodeId)
  const [firstField] = await fieldsOf(frozenNode.id)
  expect(firstField && userOfPresenceField(firstField)).toBe(paused.id)

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
  // The same life of the node (it was frozen, not restarted), so the same field as before.
  expect(await fieldsOf(frozenNode.id)).toEqual([firstField])
  expect(await suite.redis.hget(RedisKeys.presence(roomId), firstField as string)).toBe('1')
  expect(left.filter((e) => e.user.id === paused.id)).toHaveLength(1)
  expect(await suite.redis.exists(RedisKeys.nodeReaper(frozenNode.id))).toBe(0)
}, 60_000)
