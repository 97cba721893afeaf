import type { ClientToServerEvents, PublicUser, ServerToClientEvents } from '@hangout/protocol'
import type { Server, Socket } from 'socket.io'
import type { Activity } from './activity.js'
import type { Chat } from './chat.js'
import type { Coalescer } from './coalesce.js'
import type { GatewayConfig } from './config.js'
import type { InFlight } from './inflight.js'
import type { SocketLimits } from './limits.js'
import type { Membership } from './membership.js'
import type { Metrics } from './metrics.js'
import type { Presence } from './presence.js'
import type { RoomMemory } from './room-memory.js'
import type { Rooms } from './rooms.js'
import type { ScrollUpdate } from './handlers/activity.js'

export interface SocketData {
  user: PublicUser
  limits: SocketLimits
  /** Rooms this socket joined and whose presence it holds. */
  joined: Set<string>
}

// biome-ignore lint/complexity/noBannedTypes: socket.io's slot for inter-server events, unused here
type InterServerEvents = {}
export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

/** What the event handlers of one node share. */
export interface GatewayContext {
  config: GatewayConfig
  io: GatewayServer
  presence: Presence
  membership: Membership
  memory: RoomMemory
  activity: Activity
  /** Scroll updates, coalesced per room. */
  scrolls: Coalescer<ScrollUpdate>
  chat: Chat
  rooms: Rooms
  metrics: Metrics
  inFlight: InFlight
  /** Resolves once cluster broadcasts to the room reach this node (see room-subscription.ts). */
  roomSubscribed(roomId: string): Promise<void>
}
