import { isHealthy } from '@hangout/runtime'
import { startRedis } from '@hangout/testkit/services'
import { waitFor } from '@hangout/testkit/process'
import { collect, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

const { cluster } = gatewaySuite({ nodes: 3, env: { GRACE_MS: '1000' } })

const healthy = (port: number) => isHealthy(`http://127.0.0.1:${port}/healthz`)

test('Redis restarted empty: /healthz says so, rooms heal (presence and state) within 20 s, seq never goes back', async () => {
  const roomId = await cluster.createRoom()
  const people = [user('Ann'), user('Bob'), user('Cat')]
  const joins = await Promise.all(people.map((who, i) => cluster.join(cluster.node(i), who, roomId)))
  for (let i = 0; i < 3; i++) {
    const ack = await joins[0]!.socket.emitWithAck('message', { roomId, text: `before ${i}` })
    expect(ack).toMatchObject({ ok: true, message: { seq: i + 1 } })
  }
  const [ann, bob, cat] = joins.map((j) => j.socket)
  const annSees = { clicked: collect(ann!, 'user_clicked') }
  expect(await ann!.emitWithAck('page_change', { roomId, page: 3 })).toEqual({ ok: true })
  expect(await bob!.emitWithAck('scroll_update', { roomId, top: 0.4 })).toEqual({ ok: true })
  expect(await cat!.emitWithAck('click_event', { roomId, productId: 5 })).toEqual({ ok: true })
  expect(await ann!.emitWithAck('click_event', { roomId, productId: 7 })).toEqual({ ok: true })
  await until('ann sees cat’s click', () => annSees.clicked.length === 1)

  await cluster.redis!.kill()
  await waitFor('/healthz answers 503 without Redis', async () => !(await healthy(cluster.node(0).port)), 5000)
  const down = await joins[1]!.socket.timeout(5000).emitWithAck('click_event', { roomId, productId: 3 })
  expect(down).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })

  const restartedAt = Date.now()
  cluster.redis = await startRedis(cluster.redisPort)
  const nodes = cluster.nodes
  await waitFor('every node healthy again', async () => (await Promise.all(nodes.map((n) => healthy(n.port)))).every(Boolean))

  let participants: string[] = []
  let state: unknown
  await waitFor(
    'the room’s participants are back',
    async () => {
      const probe = await cluster.join(cluster.node(2), user('Probe'), roomId)
      state = probe.ack.state
      participants = probe.ack.participants
        .filter((p) => p.name !== 'Probe')
        .map((p) => p.id)
        .sort()
      probe.socket.disconnect()
      return participants.length === 3
    },
    20_000,
    250,
  )
  console.log(`presence healed ${Date.now() - restartedAt} ms after Redis came back`)
  expect(participants).toEqual(people.map((p) => p.id).sort())
  // The room's state as the nodes last knew it (Bob's click while Redis was down was refused).
  expect(state).toEqual({ page: 3, top: 0.4, highlights: { [people[0]!.id]: 7, [people[2]!.id]: 5 } })
  expect(Date.now() - restartedAt).toBeLessThan(20_000)

  const received = joins.map(({ socket }) => collect(socket, 'message'))
  const after = await joins[1]!.socket.emitWithAck('message', { roomId, text: 'after the restart' })
  expect(after).toMatchObject({ ok: true, message: { seq: 4 } })
  await until('cross-node broadcast works again', () => received.every((r) => r.length === 1), 10_000)
})
