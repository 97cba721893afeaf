import { createAdapter } from '@socket.io/redis-adapter'
import { createShardedAdapter } from '@socket.io/redis-adapter'
import { HANDSHAKE_UNAUTHORIZED, HANDSHAKE_UNAVAILABLE, type PublicUser, RedisKeys } from '@hangout/protocol'
import type { Redis } from 'ioredis'
import type { Db } from 'mongodb'
import { Server } from 'socket.io'
import { Activity } from './activity.js'
import { roomSubscription } from './room-subscription.js'
import { createHandshakeCheck, createUserCheck } from './auth.js'
import { watchBackpressure } from './backpressure.js'
import { Chat } from './chat.js'
import type { GatewayConfig } from './config.js'
import type { GatewayContext, GatewayServer } from './context.js'
import { drain } from './drain.js'
import { registerActivityHandlers, scrollBroadcaster } from './handlers/activity.js'
import { registerChatHandlers } from './handlers/chat.js'
import { registerRoomHandlers } from './handlers/room.js'
import { buildHttp } from './http.js'
import { SocketLimits } from './limits.js'
import { InFlight } from './inflight.js'
import { Liveness } from './liveness.js'
import { Membership } from './membership.js'
import { createMetrics } from './metrics.js'
import { Presence } from './presence.js'
import { recoverFromReap } from './reaped.js'
import { Rebalancer, rebalanceTiming, registerRingRoute } from './rebalance.js'
import { RoomMemory } from './room-memory.js'
import { Rooms } from './rooms.js'
import { Users } from './users.js'

export interface GatewayClients {
  /** Commands and Lua scripts. */
  redis: Redis
  /** The Socket.io adapter's publishing and subscribing connections. */
  pub: Redis
  sub: Redis
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
export async function buildGateway(config: GatewayConfig, clients: GatewayClients) {
  const metrics = createMetrics(
    config.nodeId,
    () => membership.roomCount,
    () => io.engine.clientsCount,
  )
  const app = buildHttp(config.nodeId, clients.redis, metrics)
  const io: GatewayServer = new Server(app.server, {
    maxHttpBufferSize: MAX_FRAME_BYTES,
    cors: { origin: config.allowedOrigins },
    ...adapterOption(config, clients),
  })

  const logError = (err: unknown) => console.error(err)
  const announceLeft = (roomId: string, user: PublicUser, count: number) => {
    io.to(roomId).emit('user_leaved', { roomId, user, count })
    metrics.eventsOut.inc({ event: 'user_leaved' })
  }
  const presence = new Presence(clients.redis, config.nodeId)
  const memory = new RoomMemory()
  const membership = new Membership(presence, memory, config.graceMs, announceLeft, logError)
  const liveness = new Liveness(clients.redis, presence, {
    nodeId: config.nodeId,
    upstream: config.upstream,
    heartbeatMs: config.heartbeatMs,
    nodeTtlMs: config.nodeTtlMs,
    onReaped: (roomId, left, count) => {
      for (const user of left) announceLeft(roomId, user, count)
    },
    onForgotten: () => membership.restore(),
    onReapedAlive: (): Promise<void> => recoverFromReap(io, membership, liveness, metrics),
    onError: logError,
  })
  const activity = new Activity(clients.redis)
  const scrolls = scrollBroadcaster(config.scrollIntervalMs, io, activity, memory, metrics)
  const ctx: GatewayContext = {
    config,
    io,
    presence,
    membership,
    memory,
    activity,
    scrolls,
    chat: new Chat(clients.redis, clients.db),
    rooms: new Rooms(clients.db),
    metrics,
    inFlight: new InFlight(),
    roomSubscribed: roomSubscription(config, clients.sub),
  }

  for (const client of [clients.redis, clients.pub, clients.sub]) client.on('error', () => metrics.redisErrors.inc())
  // Redis came back (maybe empty, after a restart): write this node's presence back at once.
  let connectedBefore = false
  clients.redis.on('ready', () => {
    if (connectedBefore) membership.restore().catch(logError)
    connectedBefore = true
  })
  if (clients.redis.status === 'ready') connectedBefore = true

  let draining = false
  const checkHandshake = createHandshakeCheck(config)
  const userRefusal = createUserCheck(new Users(clients.db), (err) =>
    console.error(`gateway: handshakes refused, MongoDB did not answer the user check (fail closed): ${(err as Error).message}`),
  )
  io.use(async (socket, next) => {
    if (draining) return next(new Error('DRAINING'))
    const verdict = checkHandshake(socket.handshake.headers.origin, socket.handshake.auth)
    if (!verdict.ok) return next(new Error(verdict.reason || HANDSHAKE_UNAUTHORIZED))
    const refusal = await userRefusal(verdict.user.id)
    if (refusal) {
      metrics.handshakesRefused.inc({ reason: refusal === HANDSHAKE_UNAVAILABLE ? 'user_store_unavailable' : 'user_gone' })
      return next(new Error(refusal))
    }
    socket.data.user = verdict.user
    socket.data.limits = new SocketLimits(config.limits)
    socket.data.joined = new Set()
    next()
  })

  io.on('connection', (socket) => {
    metrics.connections.inc()
    socket.on('disconnect', () => metrics.connections.dec())
    watchBackpressure(socket, config.slowClientBytes, () => metrics.disconnects.inc({ reason: 'slow_client' }))
    // Broadcasts of other nodes reach this node only on their way to its sockets: remember the rooms' state from them.
    socket.onAnyOutgoing((event, payload) => memory.observe(event, payload))
    registerRoomHandlers(ctx, socket)
    registerChatHandlers(ctx, socket)
    registerActivityHandlers(ctx, socket)
  })

  // Ring and rebalancing (rebalance.ts): follow the live node set, move sockets to their rooms' homes.
  const rebalancer = new Rebalancer(io, config.nodeId, metrics.registry, rebalanceTiming(config))
  liveness.onNodeSetChange((nodes) => rebalancer.update(nodes))
  registerRingRoute(app, rebalancer)

  return {
    app,
    io,
    liveness,
    /** Heartbeats and reaping; call before the node listens (it first reaps what an earlier run left). */
    async start() {
      await liveness.start()
      rebalancer.start()
    },
    /** SIGTERM: hand the sockets over, keep their presence through the grace, leave the cluster. */
    async drain() {
      draining = true
      await drain(io, app.server, membership, ctx.inFlight)
    },
    async close() {
      rebalancer.stop()
      scrolls.close()
      await liveness.stop().catch(logError)
      io.close()
      await app.close()
    },
  }
}

export type Gateway = Awaited<ReturnType<typeof buildGateway>>

/** The Socket.io adapter the config names; none for 'memory' (Socket.io's in-memory default). */
function adapterOption(config: GatewayConfig, clients: GatewayClients) {
  if (config.adapter === 'memory') return {}
  return {
    adapter:
      config.adapter === 'sharded'
        ? createShardedAdapter(clients.pub, clients.sub, { channelPrefix: RedisKeys.adapterPrefix, subscriptionMode: 'dynamic' })
        : createAdapter(clients.pub, clients.sub, { key: RedisKeys.adapterPrefix }),
  }
}
