/**
 * A reconnect storm: every gateway killed at once and restarted, with hundreds of sockets in
 * dozens of rooms. Everyone is back within a stated time, presence converges, and a real user can
 * still log in and chat (the limits lock nobody out). HANGOUT_STORM_SOCKETS sets the size.
 * It takes ~80 s: it runs with HANGOUT_LONG=1.
 */
import { randomBytes } from 'node:crypto'
import { Collections, type UserDoc } from '@hangout/store'
import { Redis } from 'ioredis'
import { signToken } from '@hangout/testkit/gateway-cluster'
import { createRoom, join, register, say, connect } from '@hangout/testkit/clients'
import { liveHome } from '@hangout/testkit/live-ring'
import { ChatLoad } from '../support/chat-load.js'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'

const SOCKETS = Number(process.env.HANGOUT_STORM_SOCKETS ?? 480)
const PER_ROOM = 8
/** Stated bound: everyone back within this long after the last gateway answers /healthz. */
const BACK_WITHIN_MS = 15_000
let t: ClusterUnderTest
const long = process.env.HANGOUT_LONG ? describe : describe.skip
let redis: Redis
let load: ChatLoad

long('a reconnect storm', () => {
  beforeAll(async () => {
    t = await startClusterUnderTest({ gateways: 3 })
    redis = new Redis(t.cluster.env.REDIS_URL ?? '')
    const owner = await register(t.cluster.url)
    const rooms = await Promise.all(
      Array.from({ length: Math.ceil(SOCKETS / PER_ROOM) }, async () => ({
        roomId: await createRoom(t.cluster.url, owner),
        // Hand-signed tokens of synthetic users: hundreds of registrations would only test argon2.
        users: Array.from({ length: PER_ROOM }, () => {
          const user = { id: `storm-${randomBytes(6).toString('hex')}`, name: 'storm' }
          return { ...user, token: signToken(user) }
        }),
      })),
    )
    // The gateway admits only users that exist (D2): store the synthetic ones as the API would.
    const createdAt = new Date()
    await t.db.collection<UserDoc>(Collections.users).insertMany(
      rooms.flatMap((room) =>
        room.users.map(({ id, name }) => ({
          _id: id,
          name,
          email: `${id}@storm.test`,
          emailKey: `${id}@storm.test`,
          passwordHash: 'synthetic',
          createdAt,
        })),
      ),
    )
    load = await ChatLoad.startWith(t.cluster.url, rooms, 60_000)
  }, 120_000)

  afterAll(async () => {
    load?.close()
    redis?.disconnect()
    await t?.stop()
  })

  // D3 (edge) is fixed: nginx kept every restarted gateway marked failed (max_fails=1, forgiven only
  // when a proxied request completes, which a websocket never does) and answered "no live upstreams"
  // for 22 s; with max_fails=0 everyone is back 4.5 s after the nodes are up. Presence then did not
  // converge: rooms were caught mid-rebalance, the gateways acting on each node set seen while the
  // restarted nodes came up one by one (D8, fixed). Presence is checked once every socket is home.
  test(`${SOCKETS} sockets: every gateway killed at once and restarted, everyone back within 15 s`, async () => {
    const indexes = t.cluster.gateways.map((g) => g.index)
    const killedAt = Date.now()
    await Promise.all(indexes.map((i) => t.cluster.killGateway(i)))
    await Promise.all(indexes.map((i) => t.cluster.restartGateway(i)))
    const upAt = Date.now()
    // Measured up to 60 s, so the report says how long it really took; the bound is checked after.
    const back = await timeUntil('every socket rejoined', () => load.everyoneJoined(), 60_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${load.describeStragglers()}`)
    })
    const home = (roomId: string) => liveHome(t.cluster, roomId)
    const atHome = await timeUntil('every socket at its room’s home', () => load.everyoneJoinedAtHome(home), 60_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}: ${load.describeAway(home)}`)
      },
    )
    report(`reconnect storm, ${SOCKETS} sockets in ${load.rooms.length} rooms`, {
      'gateways down and restarted (ms)': upAt - killedAt,
      'all rejoined after the gateways were up (ms)': back,
      'all at home after that (ms)': atHome,
    })
    expect(back).toBeLessThan(BACK_WITHIN_MS)
    const nodes = t.cluster.gateways.map((g) => g.nodeId)
    const converged = await timeUntil('presence converged', () => load.presenceConverged(redis, nodes), 10_000).catch(
      async (err: Error) => {
        throw new Error(`${err.message}: ${(await load.presenceProblems(redis, nodes)).slice(0, 5).join('; ')}`)
      },
    )

    const real = await register(t.cluster.url)
    const login = await fetch(`${t.cluster.url}/api/auth/profile`, { headers: { authorization: `Bearer ${real.token}` } })
    expect(login.status).toBe(200)
    const roomId = load.rooms[0] as string
    const socket = t.track(connect(t.cluster.url, roomId, real))
    await join(socket, roomId)
    expect((await say(socket, roomId, 'after the storm')).message.user.id).toBe(real.id)
    report('after the storm', { 'presence converged (ms)': converged, longestOutageMs: load.longestOutage })
  }, 120_000)
})
