import { collect, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// Typing and pointers: never stored, sent to the others only, across nodes; pointers coalesced per user.
const { cluster } = gatewaySuite({ nodes: 2 })

const n0 = () => cluster.node(0)
const n1 = () => cluster.node(1)

type Loose = { emitWithAck(e: string, p: unknown): Promise<unknown> }

describe('typing and pointers', () => {
  test('typing reaches the others on every node, never the typist', async () => {
    const roomId = await cluster.createRoom()
    const [ann, bob, cat] = [user('Ann'), user('Bob'), user('Cat')]
    const a = await cluster.join(n0(), ann, roomId)
    const b = await cluster.join(n1(), bob, roomId)
    const c = await cluster.join(n0(), cat, roomId)
    const [toA, toB, toC] = [a, b, c].map(({ socket }) => collect(socket, 'user_typing'))
    expect(await a.socket.emitWithAck('typing', { roomId })).toEqual({ ok: true })
    // Bob's own typing after Ann's: once it reaches Cat, Ann's has reached everyone it will reach.
    expect(await b.socket.emitWithAck('typing', { roomId })).toEqual({ ok: true })
    await until('both typists reach Cat', () => toC!.length === 2)
    await until('Ann sees Bob, Bob sees Ann', () => toA!.length === 1 && toB!.length === 1)
    expect(toC).toEqual([
      { roomId, user: ann },
      { roomId, user: bob },
    ])
    expect(toA).toEqual([{ roomId, user: bob }])
    expect(toB).toEqual([{ roomId, user: ann }])
  })

  test('a burst of pointer moves reaches the others at most ~20 a second per user, the last position always', async () => {
    const roomId = await cluster.createRoom()
    const [ann, bob, cat] = [user('Ann'), user('Bob'), user('Cat')]
    const a = await cluster.join(n0(), ann, roomId)
    const b = await cluster.join(n0(), bob, roomId)
    const watcher = await cluster.join(n1(), cat, roomId)
    const seen = collect(watcher.socket, 'pointer_moved')
    const mine = collect(a.socket, 'pointer_moved')
    const started = Date.now()
    // Two users move at once, 40 steps each (within the 60/s burst), every one acknowledged.
    const acks = await Promise.all(
      [a, b].flatMap(({ socket }, who) =>
        Array.from({ length: 40 }, (_, i) => socket.emitWithAck('pointer_move', { roomId, x: (i + 1) / 40, y: who / 2 })),
      ),
    )
    expect(acks.every((ack) => ack.ok)).toBe(true)
    const elapsed = Date.now() - started
    const last = (id: string) => seen.filter((p) => p.user.id === id).at(-1)
    await until('both last positions arrive', () => last(ann.id)?.x === 1 && last(bob.id)?.x === 1)
    expect(last(ann.id)).toEqual({ roomId, user: ann, x: 1, y: 0 })
    expect(last(bob.id)).toEqual({ roomId, user: bob, x: 1, y: 0.5 })
    for (const id of [ann.id, bob.id]) {
      const count = seen.filter((p) => p.user.id === id).length
      // One window per user: neither user's moves hold back the other's.
      expect(count).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 50))
      expect(count).toBeLessThan(40)
    }
    // Ann gets Bob's pointer (he is on her node) but never her own.
    await until("Ann sees Bob's last position", () => mine.at(-1)?.x === 1)
    expect(mine.every((p) => p.user.id === bob.id)).toBe(true)
  })

  test('a bad or misplaced typing or pointer is refused and reaches nobody', async () => {
    const roomId = await cluster.createRoom()
    const other = await cluster.createRoom()
    const observer = await cluster.join(n1(), user('Observer'), roomId)
    const typing = collect(observer.socket, 'user_typing')
    const pointers = collect(observer.socket, 'pointer_moved')
    const sender = await cluster.join(n0(), user('Sender'), roomId)
    const loose = sender.socket as unknown as Loose
    const bad: [string, unknown][] = [
      ['typing', { roomId: 'bad room id' }],
      ['typing', { roomId, extra: true }],
      ['typing', 'typing'],
      ['pointer_move', { roomId, x: -0.01, y: 0.5 }],
      ['pointer_move', { roomId, x: 0.5, y: 1.01 }],
      ['pointer_move', { roomId, x: '0.5', y: 0.5 }],
      ['pointer_move', { roomId, x: 0.5 }],
      ['pointer_move', { roomId, x: Number.NaN, y: 0.5 }],
    ]
    for (const [event, payload] of bad) {
      const ack = await loose.emitWithAck(event, payload)
      expect({ event, payload, ack }).toMatchObject({ event, payload, ack: { ok: false, error: { code: 'BAD_REQUEST' } } })
    }
    // Typing's burst is 3: the rest comes from a second user on the same node.
    const checker = await cluster.join(n0(), user('Checker'), roomId)
    const elsewhere = [
      await checker.socket.emitWithAck('typing', { roomId: other }),
      await checker.socket.emitWithAck('pointer_move', { roomId: other, x: 0.5, y: 0.5 }),
    ]
    for (const ack of elsewhere) expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_IN_ROOM' } })
    // A good pair from the same node after the bad ones were refused: once it arrives, anything the bad ones had sent would have too.
    await checker.socket.emitWithAck('typing', { roomId })
    await checker.socket.emitWithAck('pointer_move', { roomId, x: 0.25, y: 0.75 })
    await until('the good ones arrive', () => typing.length === 1 && pointers.length === 1)
    expect(typing.map((t) => t.user.name)).toEqual(['Checker'])
    expect(pointers.map(({ x, y }) => [x, y])).toEqual([[0.25, 0.75]])
  })
})
