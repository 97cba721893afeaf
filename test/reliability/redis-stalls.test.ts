/**
 * Redis stalls and cut subscriptions under chat load (3 gateways, a private Redis):
 * CLIENT PAUSE 10 s, then CLIENT KILL TYPE pubsub. Every node stays up and resubscribes: a room
 * whose sockets sit on two different nodes gets cross-node messages again; nothing acked is lost.
 */
import type { ChatMessage } from '@hangout/protocol'
import { type Client, createRoom, join, register, type TestUser } from '@hangout/testkit/clients'
import { directSocket } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'
import { underLoad } from '../support/under-load.js'

let split: { roomId: string; a: Client; b: Client; got: ChatMessage[] }

const suite = underLoad({
  cluster: { gateways: 3 },
  rooms: 6,
  usersPerRoom: 3,
  async beforeRun(t) {
    const [ann, bob] = [await register(t.cluster.url), await register(t.cluster.url)]
    const roomId = await createRoom(t.cluster.url, ann)
    const a = direct(t.cluster.gateway(1).url, roomId, ann)
    const b = direct(t.cluster.gateway(2).url, roomId, bob)
    await Promise.all([join(a, roomId), join(b, roomId)])
    const got: ChatMessage[] = []
    b.on('message', (m) => got.push(m))
    split = { roomId, a, b, got }
  },
})

function direct(url: string, roomId: string, user: TestUser): Client {
  return directSocket(suite.t, url, roomId, user)
}

/** Sends from node 1 every 200 ms until node 2's socket receives one; answers the ms it took and the sends lost. */
async function crossNodeResumes(timeoutMs: number): Promise<{ ms: number; lost: number }> {
  const started = Date.now()
  const sent: string[] = []
  for (;;) {
    const ack = await split.a
      .timeout(5000)
      .emitWithAck('message', { roomId: split.roomId, text: `x${sent.length}` })
      .catch(() => undefined)
    if (ack?.ok) sent.push(ack.message.id)
    const received = new Set(split.got.map((m) => m.id))
    if (sent.some((id) => received.has(id))) {
      const ms = Date.now() - started
      await new Promise((r) => setTimeout(r, 1000)) // the last sends' broadcasts may still be on their way
      const arrived = new Set(split.got.map((m) => m.id))
      return { ms, lost: sent.filter((id) => !arrived.has(id)).length }
    }
    if (Date.now() - started > timeoutMs) throw new Error(`no cross-node delivery within ${timeoutMs} ms (${sent.length} acked)`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const allUp = () => suite.t.cluster.gateways.every((g) => g.running)

test('cross-node delivery works before any fault (the check can pass)', async () => {
  const before = await crossNodeResumes(5000)
  expect(before.lost).toBe(0)
})

test('CLIENT PAUSE 10 s: nodes stay up, chat resumes, nothing acked is lost', async () => {
  const pausedAt = Date.now()
  await suite.redis.call('CLIENT', 'PAUSE', '10000', 'ALL')
  await new Promise((r) => setTimeout(r, 10_500))
  expect(allUp()).toBe(true)
  const flowing = suite.load.ackedCount
  const resumed = await timeUntil('chat acks flow again', () => suite.load.ackedCount > flowing + 10, 15_000)
  const cross = await crossNodeResumes(15_000)
  await timeUntil('every member joined', () => suite.load.everyoneJoined(), 15_000)
  await suite.load.stop()
  expect(await suite.load.problems(suite.t.db)).toEqual([])
  expect(suite.load.duplicates).toBe(0)
  report('Redis CLIENT PAUSE 10 s', {
    'acks flow after pause ends (ms)': resumed,
    'cross-node delivery after pause (ms)': Date.now() - pausedAt - 10_000,
    'cross-node sends lost meanwhile': cross.lost,
    failedSends: JSON.stringify(Object.fromEntries(suite.load.failures)),
  })
  suite.load.run(500)
}, 60_000)

test('CLIENT KILL TYPE pubsub: every node resubscribes, cross-node chat resumes', async () => {
  const killed = Number(await suite.redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))
  expect(killed).toBeGreaterThanOrEqual(3)
  const cross = await crossNodeResumes(15_000)
  expect(allUp()).toBe(true)
  await suite.load.stop()
  expect(await suite.load.problems(suite.t.db)).toEqual([])
  expect(suite.load.duplicates).toBe(0)
  const subscribers = (await suite.redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string
  expect(subscribers.trim().split('\n').length).toBeGreaterThanOrEqual(3)
  report('Redis CLIENT KILL TYPE pubsub', {
    'pubsub connections killed': killed,
    'cross-node delivery back after (ms)': cross.ms,
    'cross-node sends lost': cross.lost,
  })
})
