/**
 * The handshake's Redis checks and what follows a socket afterwards, on real gateway processes:
 * the per-user socket quota across nodes (released on disconnect and on a node's death), revoked
 * tokens cut off on every node within 5 s, and sockets cut off when their token expires.
 */
import { HANDSHAKE_RATE_LIMITED, HANDSHAKE_UNAUTHORIZED, SOCKETS_PER_USER_LIMIT as SOCKETS_PER_USER } from '@hangout/protocol'
import { RedisKeys, type Revocation } from '@hangout/store'
import { type Client, type Node, randomId, signToken, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'
import { waitFor } from '@hangout/testkit/process'

const suite = gatewaySuite({ nodes: 3, env: { GRACE_MS: '500', HEARTBEAT_MS: '500', NODE_TTL_MS: '2000' } })
const { cluster } = suite

/** Opens a socket; answers it once connected, or the connect_error message. */
function open(node: Node, token: string): Promise<{ socket: Client; refusal?: string }> {
  const socket = cluster.socket(node, token, randomId('room'))
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }))
    socket.once('connect_error', (err) => resolve({ socket, refusal: err.message }))
  })
}

async function counted(userId: string): Promise<number> {
  const counts = await suite.redis.hvals(RedisKeys.userSockets(userId))
  return counts.reduce((sum, n) => sum + Number(n), 0)
}

const serverClosed = (socket: Client) =>
  new Promise<number>((resolve) =>
    socket.once('disconnect', (reason) => reason === 'io server disconnect' && resolve(Date.now())),
  )

test(`the ${SOCKETS_PER_USER + 1}st socket of a user, on any node, is refused with RATE_LIMITED; a disconnect gives its slot back`, async () => {
  const ann = user('Ann')
  const sockets: Client[] = []
  for (let i = 0; i < SOCKETS_PER_USER; i++) {
    const { socket, refusal } = await open(cluster.node(i % 2), signToken(ann))
    expect(refusal).toBeUndefined()
    sockets.push(socket)
  }
  expect(await counted(ann.id)).toBe(SOCKETS_PER_USER)
  for (const node of [cluster.node(0), cluster.node(1), cluster.node(2)])
    expect((await open(node, signToken(ann))).refusal).toBe(HANDSHAKE_RATE_LIMITED)
  // Another user is not concerned.
  expect((await open(cluster.node(0), signToken(user('Bob')))).refusal).toBeUndefined()

  sockets[3]?.disconnect()
  await waitCount(ann.id, SOCKETS_PER_USER - 1)
  expect((await open(cluster.node(2), signToken(ann))).refusal).toBeUndefined()
  expect((await open(cluster.node(2), signToken(ann))).refusal).toBe(HANDSHAKE_RATE_LIMITED)
  const metrics = await (await fetch(`http://127.0.0.1:${cluster.node(2).port}/metrics`)).text()
  expect(metrics).toMatch(/^hangout_gateway_handshakes_refused_total\{[^}]*reason="socket_quota"[^}]*\} 2$/m)
})

test('a node killed with its sockets: their slots are released once it is reaped', async () => {
  const cy = user('Cy')
  const extra = await cluster.addNode()
  for (let i = 0; i < SOCKETS_PER_USER; i++)
    expect((await open(i < 12 ? extra : cluster.node(0), signToken(cy))).refusal).toBeUndefined()
  expect((await open(cluster.node(1), signToken(cy))).refusal).toBe(HANDSHAKE_RATE_LIMITED)
  await extra.proc.kill()
  await waitCount(cy.id, SOCKETS_PER_USER - 12, 10_000)
  // The reaper removes the node's user set only after every count it lists (so a reaper that dies
  // between leaves it for the next one): it is gone a round trip after the counts.
  await waitFor(
    `${extra.id}'s user set removed`,
    async () => (await suite.redis.exists(RedisKeys.nodeUsers(extra.id))) === 0,
    5000,
    20,
  )
  for (let i = 0; i < 12; i++) expect((await open(cluster.node(1), signToken(cy))).refusal).toBeUndefined()
  expect((await open(cluster.node(1), signToken(cy))).refusal).toBe(HANDSHAKE_RATE_LIMITED)
})

test('a revoked jti is cut off on every node within 5 s; the same user’s other token stays', async () => {
  const dee = user('Dee')
  const jti = randomId('jti')
  const revokedToken = signToken(dee, { jti })
  const onEachNode = await Promise.all([0, 1, 2].map(async (i) => (await open(cluster.node(i), revokedToken)).socket))
  const other = (await open(cluster.node(1), signToken(dee))).socket
  const closedAt = onEachNode.map(serverClosed)
  // As the API's logout does (api/src/revocations.ts): the key first, then the announcement.
  const revokedAt = Date.now()
  await suite.redis.set(RedisKeys.revokedToken(dee.id, jti), '1', 'PX', 60_000)
  await suite.redis.publish(RedisKeys.revocations, JSON.stringify({ userId: dee.id, jti } satisfies Revocation))
  const took = (await Promise.all(closedAt)).map((at) => at - revokedAt)
  console.log(`revoked sockets cut off after ${took.join(', ')} ms`)
  expect(Math.max(...took)).toBeLessThan(5000)
  expect(other.connected).toBe(true)
  expect((await open(cluster.node(0), revokedToken)).refusal).toBe(HANDSHAKE_UNAUTHORIZED)
  await waitCount(dee.id, 1)
})

test('a cutoff (deleted account) cuts off every socket of tokens issued before it', async () => {
  const eve = user('Eve')
  const sockets = await Promise.all([0, 2].map(async (i) => (await open(cluster.node(i), signToken(eve))).socket))
  const closed = sockets.map(serverClosed)
  const before = Date.now()
  await suite.redis.set(RedisKeys.userCutoff(eve.id), String(before), 'PX', 60_000)
  await suite.redis.publish(RedisKeys.revocations, JSON.stringify({ userId: eve.id, before } satisfies Revocation))
  await Promise.all(closed)
  expect((await open(cluster.node(1), signToken(eve, { issuedAtMs: before - 1000 }))).refusal).toBe(HANDSHAKE_UNAUTHORIZED)
})

test('a socket is cut off when its token expires', async () => {
  const fay = user('Fay')
  const expiresInMs = 2500
  const issuedAt = Date.now()
  const { socket, refusal } = await open(cluster.node(0), signToken(fay, { expiresInMs }))
  expect(refusal).toBeUndefined()
  const closedAt = await serverClosed(socket)
  // exp is in whole seconds: the cut comes at exp, within a second before issuedAt + expiresInMs.
  expect(closedAt - issuedAt).toBeGreaterThan(expiresInMs - 1100)
  expect(closedAt - issuedAt).toBeLessThan(expiresInMs + 1000)
  await waitCount(fay.id, 0)
})

async function waitCount(userId: string, expected: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = await counted(userId)
  while (last !== expected) {
    if (Date.now() > deadline) throw new Error(`user ${userId}: ${last} sockets counted, expected ${expected}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    last = await counted(userId)
  }
}
