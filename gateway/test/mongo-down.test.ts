import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type ManagedProcess, waitFor } from '@hangout/infra/process'
import { startFerretDb } from '@hangout/infra/services'
import { HANDSHAKE_UNAVAILABLE } from '@hangout/protocol'
import { Cluster, collect, signToken, sleep, until, user } from './helpers.js'

// A MongoDB-wire server of this suite's own, so that it can be stopped (the shared one never is).
const dir = mkdtempSync(join(tmpdir(), 'hangout-ferret-'))
let mongoPort = 0
let ferret: ManagedProcess | undefined
let cluster: Cluster

beforeAll(async () => {
  mongoPort = await freePort()
  ferret = await startFerretDb(mongoPort, dir)
  cluster = new Cluster({ GRACE_MS: '1000' }, `mongodb://127.0.0.1:${mongoPort}`)
  await cluster.start(2)
}, 120_000)

afterAll(async () => {
  await cluster.stop()
  await ferret?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('MongoDB down: message and join answer INTERNAL and reach nobody, other events work, chat recovers', async () => {
  const roomId = await cluster.createRoom()
  const a = await cluster.join(cluster.node(0), user('Ann'), roomId)
  const b = await cluster.join(cluster.node(1), user('Bob'), roomId)
  const messages = collect(b.socket, 'message')
  const clicks = collect(b.socket, 'user_clicked')
  expect(await a.socket.emitWithAck('message', { roomId, text: 'before' })).toMatchObject({ ok: true, message: { seq: 1 } })
  await until('the first message arrives', () => messages.length === 1)

  // Third was let in once before the outage (the node remembers users found for 30 s); Fourth never was.
  const [third, fourth] = [user('Third'), user('Fourth')]
  await Promise.all([cluster.addUser(third), cluster.addUser(fourth)])
  ;(await cluster.connect(cluster.node(0), signToken(third), roomId)).disconnect()

  await ferret!.kill()
  const failed = await a.socket.timeout(10_000).emitWithAck('message', { roomId, text: 'while down' })
  expect(failed).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
  expect(await a.socket.emitWithAck('click_event', { roomId, productId: 9 })).toEqual({ ok: true })
  await until('the click still crosses nodes', () => clicks.length === 1)
  const joinedEvents = collect(b.socket, 'user_joined')
  // The user check fails closed: a user the node cannot look up is refused, with a retryable refusal.
  const refused = cluster.socket(cluster.node(0), signToken(fourth), roomId)
  expect(await new Promise((resolve) => refused.once('connect_error', (err) => resolve(err.message)))).toBe(HANDSHAKE_UNAVAILABLE)
  const thirdSocket = await cluster.connect(cluster.node(0), signToken(third), roomId)
  expect(await thirdSocket.timeout(10_000).emitWithAck('join_room', { roomId })).toMatchObject({
    ok: false,
    error: { code: 'INTERNAL' },
  })
  await sleep(200)
  expect(messages).toHaveLength(1)
  expect(joinedEvents).toHaveLength(0)

  ferret = await startFerretDb(mongoPort, dir)
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
