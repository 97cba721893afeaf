import type { Logger } from '@hangout/runtime'
import type { Activity } from '../room/activity.js'
import type { Chat } from '../room/chat.js'
import type { Coalescer } from '../room/coalesce.js'
import type { GatewayConfig } from '../config.js'
import type { InFlight } from './inflight.js'
import type { Membership } from '../presence/membership.js'
import type { Metrics } from '../metrics.js'
import type { RoomMemory } from '../room/room-memory.js'
import type { MemberRecords } from '../room/member-records.js'
import type { Rooms } from '../room/rooms.js'
import type { PointerUpdate } from '../room/pointers.js'
import type { ScrollUpdate } from '../room/scrolls.js'
import type { GatewayServer } from './types.js'

/** What the event handlers of one node share. */
export interface GatewayContext {
  log: Logger
  config: GatewayConfig
  io: GatewayServer
  membership: Membership
  memory: RoomMemory
  activity: Activity
  /** Scroll updates, coalesced per room. */
  scrolls: Coalescer<ScrollUpdate>
  /** Pointer positions, coalesced per user. */
  pointers: Coalescer<PointerUpdate>
  chat: Chat
  rooms: Rooms
  /** Records that a user joined a room by its link (in MongoDB, off the join's path). */
  memberRecords: MemberRecords
  metrics: Metrics
  inFlight: InFlight
  /** Resolves once cluster broadcasts to the room reach this node (see room-subscription.ts). */
  roomSubscribed(roomId: string): Promise<void>
}
