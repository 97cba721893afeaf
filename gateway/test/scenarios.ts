import { type Cluster, collect, sleep, until, user } from '@hangout/testkit/gateway-cluster'

/** Chat and the three sync events between users on three different nodes. */
export async function crossNodeEvents(cluster: Cluster): Promise<void> {
  const [n0, n1, n2] = [cluster.node(0), cluster.node(1), cluster.node(2)]
  const roomId = await cluster.createRoom()
  const [ann, bob, cat] = [user('Ann'), user('Bob'), user('Cat')]
  const a = await cluster.join(n0, ann, roomId)
  const aJoined = collect(a.socket, 'user_joined')
  const b = await cluster.join(n1, bob, roomId)
  const c = await cluster.join(n2, cat, roomId)
  expect(b.ack.node).toBe(n1.id)
  expect(c.ack.participants.map((p) => p.id).sort()).toEqual([ann.id, bob.id, cat.id].sort())
  await until('ann sees bob and cat join', () => aJoined.length === 2)
  expect(aJoined.map((e) => [e.user, e.count])).toEqual([
    [bob, 2],
    [cat, 3],
  ])

  const got = [a, b, c].map(({ socket }) => ({
    message: collect(socket, 'message'),
    clicked: collect(socket, 'user_clicked'),
    scrolled: collect(socket, 'scroll_updated'),
    paged: collect(socket, 'page_changed'),
  }))
  const sent = await a.socket.emitWithAck('message', { roomId, text: '  hello across nodes  ' })
  if (!sent.ok) throw new Error(JSON.stringify(sent))
  expect(sent.message).toMatchObject({ roomId, user: ann, text: 'hello across nodes', seq: 1 })
  await until('everyone, the sender too, gets the message', () => got.every((g) => g.message.length === 1))
  for (const g of got) expect(g.message[0]).toEqual(sent.message)

  expect(await b.socket.emitWithAck('click_event', { roomId, productId: 7 })).toEqual({ ok: true })
  expect(await c.socket.emitWithAck('scroll_update', { roomId, top: 0.25 })).toEqual({ ok: true })
  expect(await a.socket.emitWithAck('page_change', { roomId, page: 3 })).toEqual({ ok: true })
  await until(
    'sync events arrive',
    () => got[0]!.clicked.length === 1 && got[1]!.paged.length === 1 && got[0]!.scrolled.length === 1,
  )
  await until(
    'sync events arrive everywhere',
    () => got[2]!.clicked.length === 1 && got[1]!.scrolled.length === 1 && got[2]!.paged.length === 1,
  )
  expect(got[0]!.clicked[0]).toEqual({ roomId, user: bob, productId: 7 })
  expect(got[1]!.scrolled[0]).toEqual({ roomId, user: cat, top: 0.25 })
  expect(got[2]!.paged[0]).toEqual({ roomId, user: ann, page: 3 })
  await sleep(100)
  expect(got[1]!.clicked).toHaveLength(0)
  expect(got[2]!.scrolled).toHaveLength(0)
  expect(got[0]!.paged).toHaveLength(0)
}

/** A late joiner on a third node gets the state, the history in order and the participants; a leaver takes their highlight along. */
export async function lateJoiner(cluster: Cluster): Promise<void> {
  const [n0, n1, n2] = [cluster.node(0), cluster.node(1), cluster.node(2)]
  const roomId = await cluster.createRoom()
  const [ann, bob, late] = [user('Ann'), user('Bob'), user('Late')]
  const a = await cluster.join(n0, ann, roomId)
  const b = await cluster.join(n1, bob, roomId)
  const sent: number[] = []
  for (let i = 0; i < 8; i++) {
    const ack = await (i % 2 ? b : a).socket.emitWithAck('message', { roomId, text: `m${i}` })
    if (!ack.ok) throw new Error(JSON.stringify(ack))
    sent.push(ack.message.seq)
  }
  expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  await a.socket.emitWithAck('click_event', { roomId, productId: 4 })
  await b.socket.emitWithAck('click_event', { roomId, productId: 12 })
  await a.socket.emitWithAck('page_change', { roomId, page: 2 })
  await b.socket.emitWithAck('scroll_update', { roomId, top: 0.5 })

  const l = await cluster.join(n2, late, roomId)
  expect(l.ack.state).toEqual({ page: 2, top: 0.5, highlights: { [ann.id]: 4, [bob.id]: 12 } })
  expect(l.ack.history.map((m) => [m.seq, m.text])).toEqual(sent.map((seq, i) => [seq, `m${i}`]))
  expect(l.ack.participants.map((p) => p.id).sort()).toEqual([ann.id, bob.id, late.id].sort())
  expect(l.ack.room).toMatchObject({ id: roomId, name: `Room ${roomId}` })

  const leaved = collect(l.socket, 'user_leaved')
  await a.socket.emitWithAck('leave_room', { roomId })
  await until('ann left', () => leaved.length === 1)
  const again = await cluster.join(n0, user('Later'), roomId)
  expect(again.ack.state.highlights).toEqual({ [bob.id]: 12 })
}
