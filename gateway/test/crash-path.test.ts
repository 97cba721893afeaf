import { fileURLToPath } from 'node:url'
import type { PublicUser } from '@hangout/protocol'
import { nodeOfPresenceField, RedisKeys } from '@hangout/store'
import { Redis } from 'ioredis'
import { everyHeartbeatKey } from '../src/cluster/heartbeat-keys.js'
import { Liveness } from '../src/cluster/liveness.js'
import { Presence } from '../src/presence/presence.js'
import { collect, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// The longest TTL the config allows: within it, only the node itself can have removed its share.
const hook = fileURLToPath(new URL('./uncaught-hook.mjs', import.meta.url))
const suite = gatewaySuite({
  nodes: 2,
  env: { GRACE_MS: '1000', HEARTBEAT_MS: '1000', NODE_TTL_MS: '8000', NODE_OPTIONS: `--import=${hook}` },
})
const { cluster } = suite

test('a node closing on an uncaught exception takes its users out itself, and they are announced', async () => {
  const roomId = await cluster.createRoom()
  const [crashing, survivor] = [cluster.node(0), cluster.node(1)]
  const observer = await cluster.join(survivor, user('Observer'), roomId)
  const leaved = collect(observer.socket, 'user_leaved')
  const doomed = [user('Ann'), user('Bob')]
  for (const who of doomed) await cluster.join(crashing, who, roomId)

  crashing.proc.signal('SIGWINCH')
  await until('both users announced gone', () => leaved.length === 2, 20_000).catch((err) => {
    throw new Error(`${err}\n${crashing.proc.output}`)
  })
  expect(leaved.map((e) => e.user.id).sort()).toEqual(doomed.map((u) => u.id).sort())
  // Nobody reaped it (a reaper leaves its mark for an hour): the node removed its own share.
  expect(await suite.redis.exists(RedisKeys.nodeReaper(crashing.id))).toBe(0)
  expect((await suite.redis.hkeys(RedisKeys.presence(roomId))).filter((f) => nodeOfPresenceField(f) === crashing.id)).toEqual([])
  expect(
    await suite.redis.exists(
      RedisKeys.nodeRooms(crashing.id),
      ...everyHeartbeatKey(crashing.id),
      RedisKeys.nodeIncarnation(crashing.id),
    ),
  ).toBe(0)
  await until('the crashed process exits', () => !crashing.proc.running, 15_000)
}, 60_000)

test('Liveness.stop() removes the node’s presence before it leaves the live set', async () => {
  const client = new Redis(cluster.redisUrl)
  const left: { roomId: string; left: PublicUser[] }[] = []
  const presence = new Presence(client, 'stopping')
  const liveness = new Liveness(client, presence, {
    nodeId: 'stopping',
    upstream: '127.0.0.1:1',
    heartbeatMs: 100,
    nodeTtlMs: 1000,
    onReaped: (roomId, gone) => left.push({ roomId, left: gone }),
    onForgotten: async () => undefined,
    onReapedAlive: async () => undefined,
    onError: () => undefined,
  })
  await liveness.start()
  await presence.join('stop-room', { id: 'u1', name: 'U1' })
  await liveness.stop()
  expect(await suite.redis.hkeys(RedisKeys.presence('stop-room'))).toEqual([])
  expect(await suite.redis.hkeys(RedisKeys.names('stop-room'))).toEqual([])
  expect(left).toEqual([{ roomId: 'stop-room', left: [{ id: 'u1', name: 'U1' }] }])
  expect(await suite.redis.exists(RedisKeys.nodeRooms('stopping'), ...everyHeartbeatKey('stopping'))).toBe(0)
  client.disconnect()
})
