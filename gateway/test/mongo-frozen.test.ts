/**
 * MongoDB frozen (SIGSTOP on a FerretDB of this suite's own): the server accepts connections and
 * answers nothing. A chat message is answered INTERNAL within a bounded time (the driver's waits
 * are bounded in main.ts), reaches nobody, and the events that need no MongoDB keep working; once
 * the server answers again chat works by itself.
 */
import { waitFor } from '@hangout/testkit/process'
import { collect, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

/** Past the driver's 5 s socket timeout on a loaded machine, well inside a client's patience. */
const ANSWER_WITHIN_MS = 12_000

const suite = gatewaySuite({ nodes: 2, env: { GRACE_MS: '1000' }, privateMongo: true })
const { cluster } = suite

test('MongoDB frozen: a message is answered INTERNAL in bounded time and reaches nobody; other events work; chat comes back', async () => {
  const roomId = await cluster.createRoom()
  const a = await cluster.join(cluster.node(0), user('Ann'), roomId)
  const b = await cluster.join(cluster.node(1), user('Bob'), roomId)
  const messages = collect(b.socket, 'message')
  const clicks = collect(b.socket, 'user_clicked')
  expect(await a.socket.emitWithAck('message', { roomId, text: 'before' })).toMatchObject({ ok: true })
  await until('the first message arrives', () => messages.length === 1)

  suite.mongo.signal('SIGSTOP')
  try {
    const started = Date.now()
    const frozen = await a.socket.timeout(ANSWER_WITHIN_MS + 5000).emitWithAck('message', { roomId, text: 'while frozen' })
    const ms = Date.now() - started
    expect(frozen).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } })
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS)
    expect(await a.socket.timeout(5000).emitWithAck('click_event', { roomId, productId: 4 })).toEqual({ ok: true })
    await until('the click still crosses nodes', () => clicks.length === 1)
    await sleep(200)
    expect(messages.map((m) => m.text)).toEqual(['before'])
  } finally {
    suite.mongo.signal('SIGCONT')
  }
  await waitFor(
    'chat works again',
    async () => (await a.socket.timeout(10_000).emitWithAck('message', { roomId, text: 'after' })).ok,
    30_000,
    500,
  )
  await until('the message after arrives', () => messages.some((m) => m.text === 'after'))
  expect(messages.map((m) => m.text)).not.toContain('while frozen')
}, 90_000)
