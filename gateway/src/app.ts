import { type Logger, requestId } from '@hangout/runtime'
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter'
import { HANDSHAKE_UNAUTHORIZED, type PublicUser } from '@hangout/protocol'
import { createStores, RedisKeys, RoomRecords } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'
import type { Db } from 'mongodb'
import { Server } from 'socket.io'
import { Activity } from './room/activity.js'
import { roomChannel, roomSubscription } from './room/room-subscription.js'
import { localWhenAlone } from './cluster/local-broadcast.js'
import { withoutUserChannels } from './cluster/user-channels.js'
import { RoomSharing } from './cluster/room-sharing.js'
import { createAdmission } from './socket/admission.js'
import { createHandshakeCheck } from './socket/auth.js'
import { watchOutgoing } from './socket/outgoing.js'
import { Chat } from './room/chat.js'
import { BATCH_LIMITS } from './room/chat-batch.js'
import type { GatewayConfig } from './config.js'
import type { GatewayContext } from './socket/context.js'
import type { GatewayServer } from './socket/types.js'
import { drain } from './cluster/drain.js'
import { registerActivityHandlers } from './socket/handlers/activity.js'
import { scrollBroadcaster } from './room/scrolls.js'
import { registerChatHandlers } from './socket/handlers/chat.js'
import { registerRoomHandlers } from './socket/handlers/room.js'
import { registerSignalHandlers } from './socket/handlers/signals.js'
import { pointerBroadcaster } from './room/pointers.js'
import { buildHttp } from './http.js'
import { SocketLimits } from './socket/limits.js'
import { InFlight } from './socket/inflight.js'
import { Liveness } from './cluster/liveness.js'
import { MemberRecords } from './room/member-records.js'
import { Membership } from './presence/membership.js'
import { createMetrics, type Metrics } from './metrics.js'
import { watchRuntime } from './ops-metrics.js'
import { newIncarnation, Presence } from './presence/presence.js'
import { recoverFromReap } from './cluster/reaped.js'
import { Rebalancer, rebalanceTiming } from './cluster/rebalance.js'
import { registerRingRoute } from './cluster/ring-route.js'
import { observeBroadcasts } from './room/observed-broadcasts.js'
import { RoomMemory } from './room/room-memory.js'
import { Rooms } from './room/rooms.js'
import { Sessions } from './socket/sessions.js'
import { SocketQuota } from './socket/socket-quota.js'
import { userRoom } from './socket/user-room.js'

export interface GatewayClients {
  /** Commands and Lua scripts. */
  redis: RedisClient
  /** The Socket.io adapter's publishing and subscribing connections. */
  pub: RedisClient
  sub: RedisClient
  db: Db
}

/**
 * The largest legal frame: a chat message whose raw text may be 2·2000+64 UTF-16 units, each up
 * to 6 bytes once JSON-escaped, plus the envelope. A bigger frame closes that socket only.
 */
export const MAX_FRAME_BYTES = 32 * 1024

/**
 * Builds a gateway node without listening: `app.listen` then `start()` puts it in service.
 * Hooks for the ring and rebalancing: `liveness.onNodeSetChange(listener)` and `liveness.liveNodes()`,
 * `io` for the sockets of a room, and `app` (not yet ready) for more routes.
 */
export async function buildGateway(config: GatewayConfig, clients: GatewayClients, log: Logger) {
  const metrics = createMetrics(config.nodeId)
  const stores = createStores(clients.db)
  const app = buildHttp(config.nodeId, clients.redis, metrics)
  const logError = (err: unknown) => log.error({ err }, 'gateway error')
  const activity = new Activity(clients.redis, config.idleRoomTtlMs, config.stateWriteMs, (err) =>
    log.error({ err }, 'room state write failed; tried again with the next one'),
  )
  // Which rooms have members on other nodes: the others broadcast without Redis (sharded adapter only).
  const sharing =
    config.adapter === 'sharded'
      ? new RoomSharing({
          nodeId: config.nodeId,
          pub: clients.pub,
          sub: clients.sub,
          channel: roomChannel,
          hasRoom: (roomId) => io.of('/').adapter.rooms.has(roomId),
          beforeAck: (roomId) => activity.flush(roomId),
          log: log.child({ module: 'sharing' }),
        })
      : undefined
  const io: GatewayServer = new Server(app.server, {
    maxHttpBufferSize: MAX_FRAME_BYTES,
    // A frozen node must show as such within seconds, not Engine.IO's default 45 s: clients close
    // after pingInterval + pingTimeout without a ping (≤ 7 s) and the web app calls a silence of
    // pingInterval + 1 s "reconnecting" sooner. A ping every 4 s costs a socket ~0.25 frames/s.
    pingInterval: config.pingIntervalMs,
    pingTimeout: config.pingTimeoutMs,
    cors: { origin: config.allowedOrigins },
    ...adapterOption(config, clients, sharing, metrics),
  })
  metrics.sampleFrom({ transports: () => io.engine.clientsCount })
  // The room's last local socket left: its memory goes, what was kept back of its state goes to Redis.
  io.of('/').adapter.on('delete-room', (roomId: string) => {
    memory.forget(roomId)
    activity.flush(roomId).catch(logError)
    sharing?.leave(roomId)
  })

  const announceLeft = (roomId: string, user: PublicUser, count: number) => {
    activity.dropHighlight(roomId, user.id)
    io.to(roomId).except(userRoom(user.id)).emit('user_leaved', { roomId, user, count })
    metrics.eventsOut.inc('user_leaved')
  }
  const presence = new Presence(clients.redis, config.nodeId, newIncarnation())
  const quota = new SocketQuota(clients.redis, config.nodeId)
  const revocationsSub = clients.sub.duplicate()
  const sessions = new Sessions(clients.redis, revocationsSub, (reason) => metrics.disconnects.inc({ reason }), logError)
  const memory = new RoomMemory()
  // Broadcasts of other nodes reach this node only on their way to its sockets: remember the rooms' state from them.
  observeBroadcasts(io.of('/').adapter, (event, payload) => memory.observe(event, payload))
  const announceJoined = (roomId: string, user: PublicUser, count: number, except: string[]) => {
    io.to(roomId)
      .except([userRoom(user.id), ...except])
      .emit('user_joined', { roomId, user, count })
    metrics.eventsOut.inc('user_joined')
  }
  const membership = new Membership(
    presence,
    memory,
    config.graceMs,
    announceJoined,
    announceLeft,
    log.child({ module: 'presence' }),
    config.heartbeatMs,
  )
  metrics.sampleFrom({ rooms: () => membership.roomCount })
  const liveness = new Liveness(clients.redis, presence, {
    nodeId: config.nodeId,
    upstream: config.upstream,
    heartbeatMs: config.heartbeatMs,
    nodeTtlMs: config.nodeTtlMs,
    onReaped: (roomId, left, count) => {
      metrics.reapedUsers.inc(left.length)
      for (const user of left) announceLeft(roomId, user, count)
    },
    onForgotten: () => membership.restore(),
    onReassert: (listedRooms) => membership.reassert(listedRooms),
    onReapedAlive: (reapOwn) => recoverFromReap(io, membership, reapOwn, metrics, log.child({ module: 'liveness' })),
    onReapNode: (nodeId) => quota.reapNode(nodeId),
    onError: logError,
  })
  const runtime = watchRuntime(metrics.registry, clients.redis, liveness)
  const scrolls = scrollBroadcaster(config.scrollIntervalMs, io, activity, memory, metrics)
  const pointers = pointerBroadcaster(io, metrics)
  const ctx: GatewayContext = {
    log,
    config,
    io,
    membership,
    memory,
    activity,
    scrolls,
    pointers,
    chat: new Chat(clients.redis, stores.messages, config.idleRoomTtlMs, log.child({ module: 'chat' }), BATCH_LIMITS, (size) =>
      metrics.chatBatch.observe(size),
    ),
    rooms: new Rooms(stores.rooms, new RoomRecords(clients.redis)),
    memberRecords: new MemberRecords(stores.memberships, logError),
    metrics,
    inFlight: new InFlight(),
    roomSubscribed: sharing ? roomSubscription(clients.sub, io, sharing) : async () => {},
  }

  for (const client of [clients.redis, clients.pub, clients.sub, revocationsSub])
    client.on('error', () => metrics.redisErrors.inc())
  // Redis came back (maybe empty, after a restart): write this node's presence back at once.
  let connectedBefore = false
  clients.redis.on('ready', () => {
    if (connectedBefore) {
      membership.restore().catch(logError)
      quota.restore().catch(logError)
    }
    connectedBefore = true
  })
  if (clients.redis.status === 'ready') connectedBefore = true

  let draining = false
  const checkHandshake = createHandshakeCheck(config)
  const admit = createAdmission(
    quota,
    sessions,
    metrics,
    (err) =>
      log.error({ reason: (err as Error).message }, 'handshakes refused: Redis did not answer the token check (fail closed)'),
    logError,
  )
  io.use(async (socket, next) => {
    if (draining) return next(new Error('DRAINING'))
    const verdict = checkHandshake(socket.handshake.headers.origin, socket.handshake.auth)
    if (!verdict.ok) return next(new Error(verdict.reason || HANDSHAKE_UNAUTHORIZED))
    const refusal = await admit(socket, verdict.claims)
    if (refusal) return next(new Error(refusal))
    socket.data.user = verdict.user
    socket.data.limits = new SocketLimits(config.limits)
    socket.data.joined = new Set()
    socket.data.toldToMove = new Set()
    // One id follows the socket from the edge's access log (the upgrade's $request_id) into these logs.
    socket.data.log = log.child({ socket: socket.id, reqId: requestId(socket.request), user: verdict.user.id })
    next()
  })

  const outgoing = {
    maxQueuedBytes: config.slowClientBytes,
    onSlow: () => metrics.disconnects.inc({ reason: 'slow_client' }),
    onEvent: () => metrics.deliveries.inc(),
  }
  io.on('connection', (socket) => {
    metrics.connections.inc()
    socket.on('disconnect', () => metrics.connections.dec())
    watchOutgoing(socket, outgoing)
    socket.join(userRoom(socket.data.user.id))
    registerRoomHandlers(ctx, socket)
    registerChatHandlers(ctx, socket)
    registerActivityHandlers(ctx, socket)
    registerSignalHandlers(ctx, socket)
  })

  // Ring and rebalancing (rebalance.ts): follow the live node set, move sockets to their rooms' homes.
  const rebalancer = new Rebalancer(io, config.nodeId, metrics.rebalancedSockets, rebalanceTiming(config))
  metrics.sampleFrom({ awayFromHome: () => rebalancer.socketsAwayFromHome().length })
  liveness.onNodeSetChange((nodes) => rebalancer.update(nodes))
  // A dead node says no bye: the rooms it shared may go local again.
  liveness.onNodeSetChange((nodes) => sharing?.keepOnly(new Set(nodes.map((node) => node.id))))
  registerRingRoute(app, rebalancer)

  return {
    app,
    io,
    liveness,
    /** Heartbeats and reaping; call before the node listens (it first reaps what an earlier run left). */
    async start() {
      await sessions.start()
      await liveness.start()
      rebalancer.start()
    },
    /** SIGTERM: hand the sockets over, keep their presence through the grace, leave the cluster. */
    async drain() {
      draining = true
      await drain(io, app.server, membership, ctx.inFlight)
    },
    /** Leaves the cluster, taking this node's whole share of presence out (after a drain nothing is left of it). */
    async close() {
      runtime.stop()
      rebalancer.stop()
      scrolls.close()
      membership.close()
      pointers.close()
      // Before the node's presence goes: a node that joins next reads the rooms' latest state.
      await activity.close().catch(logError)
      await liveness.stop().catch(logError)
      // The joins' membership upserts queued for their batch: written, not lost with the process.
      await ctx.memberRecords.settled()
      io.close()
      await sessions.close()
      await app.close()
    },
  }
}

export type Gateway = Awaited<ReturnType<typeof buildGateway>>

/** The Socket.io adapter the config names; none for 'memory' (Socket.io's in-memory default). */
function adapterOption(config: GatewayConfig, clients: GatewayClients, sharing: RoomSharing | undefined, metrics: Metrics) {
  if (config.adapter === 'memory') return {}
  if (config.adapter === 'classic' || !sharing)
    return { adapter: createAdapter(clients.pub, clients.sub, { key: RedisKeys.adapterPrefix }) }
  const sharded = createShardedAdapter(clients.pub, clients.sub, {
    channelPrefix: RedisKeys.adapterPrefix,
    subscriptionMode: 'dynamic',
  })
  return { adapter: localWhenAlone(withoutUserChannels(sharded), sharing, metrics.broadcasts) }
}
