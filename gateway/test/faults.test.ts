import type { RebalancePayload } from '@hangout/protocol'
import { Collections, type MessageDoc } from '@hangout/store'
import { type Client, collect, type Node, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

const GRACE_MS = 2000
const { cluster } = gatewaySuite({ nodes: 3, env: { GRACE_MS: String(GRACE_MS), HEARTBEAT_MS: '1000', NODE_TTL_MS: '4000' } })

async function storedIds(roomId: string): Promise<string[]> {
  const docs = await cluster.db.collection<MessageDoc>(Collections.messages).find({ roomId }).toArray()
  return docs.map((doc) => doc._id)
}

async function sendMany(socket: Client, roomId: string, count: number): Promise<string[]> {
  const acks = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      socket
        .timeout(5000)
        .emitWithAck('message', { roomId, text: `m${i}` })
        .catch(() => undefined),
    ),
  )
  return acks.flatMap((ack) => (ack?.ok ? [ack.message.id] : []))
}

test('kill -9 of a node: its users leave within 10 s, every acked message is in history', async () => {
  const roomId = await cluster.createRoom()
  const [doomed, survivor] = [user('OnDoomedNode'), user('Survivor')]
  const d = await cluster.join(cluster.node(0), doomed, roomId)
  const s = await cluster.join(cluster.node(1), survivor, roomId)
  const leaved = collect(s.socket, 'user_leaved')
  const acked = await sendMany(d.socket, roomId, 8)
  expect(acked).toHaveLength(8)

  const killedAt = Date.now()
  await cluster.node(0).proc.kill()
  await until('user_leaved for the dead node’s user', () => leaved.length === 1, 10_000)
  const took = Date.now() - killedAt
  console.log(`presence converged ${took} ms after kill -9`)
  expect(took).toBeLessThan(10_000)
  expect(leaved[0]).toEqual({ roomId, user: doomed, count: 1 })
  await sleep(1500)
  expect(leaved).toHaveLength(1) // exactly one survivor reaped

  const late = await cluster.join(cluster.node(2), user('Late'), roomId)
  expect(late.ack.participants.map((p) => p.name).sort()).toEqual(['Late', 'Survivor'])
  const history = late.ack.history.map((m) => m.id)
  for (const id of acked) expect(history).toContain(id)
  expect(late.ack.history.map((m) => m.seq)).toEqual([...late.ack.history.map((m) => m.seq)].sort((a, b) => a - b))
})

test('SIGTERM drain: sockets move to another node, nobody flaps, no acked message is lost', async () => {
  const [draining, target] = [cluster.node(1), cluster.node(2)]
  const roomId = await cluster.createRoom()
  const [ann, bob, obs] = [user('Ann'), user('Bob'), user('Observer')]
  const o = await cluster.join(target, obs, roomId)
  const joined = collect(o.socket, 'user_joined')
  const leaved = collect(o.socket, 'user_leaved')

  // What the web app does on `rebalance`: reconnect (the edge picks the new home) and join again.
  const moved: { node: string; at: number }[] = []
  const follow = async (who: { id: string; name: string }, from: Client, to: Node) => {
    from.on('rebalance', async ({ roomId: room, delayMs }: RebalancePayload) => {
      await sleep(delayMs)
      const again = await cluster.join(to, who, room)
      moved.push({ node: again.ack.node, at: Date.now() })
    })
  }
  const a = await cluster.join(draining, ann, roomId)
  const b = await cluster.join(draining, bob, roomId)
  await follow(ann, a.socket, target)
  await follow(bob, b.socket, target)
  await until('both joined', () => joined.length === 2)

  const inFlight = sendMany(a.socket, roomId, 5)
  const termAt = Date.now()
  draining.proc.signal('SIGTERM')
  const acked = await inFlight
  await until('both users moved', () => moved.length === 2, 5000)
  expect(moved.map((m) => m.node)).toEqual([target.id, target.id])
  console.log(`sockets moved ${Math.max(...moved.map((m) => m.at)) - termAt} ms after SIGTERM`)

  expect(acked.length).toBeGreaterThan(0)
  await until('the drained node exits', () => !draining.proc.running, GRACE_MS + 6000)
  await sleep(500)
  expect(leaved).toHaveLength(0)
  expect(joined).toHaveLength(2)

  const stored = await storedIds(roomId)
  for (const id of acked) expect(stored).toContain(id)
  const late = await cluster.join(target, user('Late'), roomId)
  expect(late.ack.participants.map((p) => p.id)).toEqual(expect.arrayContaining([ann.id, bob.id, obs.id]))
  expect(late.ack.participants).toHaveLength(4)
})
