import type { Logger } from '@hangout/runtime'
import type { ClientToServerEvents, PublicUser, ServerToClientEvents } from '@hangout/protocol'
import type { Server, Socket } from 'socket.io'
import type { SocketLimits } from './limits.js'

export interface SocketData {
  user: PublicUser
  limits: SocketLimits
  /** Rooms this socket joined and whose presence it holds. */
  joined: Set<string>
  /** Rooms this socket was already told to leave for their new home (`rebalance`): told once each. */
  toldToMove: Set<string>
  /** The node's logger with this socket's id and the edge's request id of its handshake. */
  log: Logger
}

// biome-ignore lint/complexity/noBannedTypes: socket.io's slot for inter-server events, unused here
type InterServerEvents = {}
export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
