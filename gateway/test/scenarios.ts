import { type Cluster, collect, sleep, until, user } from './helpers.js'

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
