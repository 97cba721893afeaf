import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { HotCounter, HotLabeledCounter } from './hot-counter.js'

/** What a gauge reads when it is scraped, told by the part that knows it once that part is built. */
export interface GaugeSources {
  rooms: () => number
  transports: () => number
  awayFromHome: () => number
}

/** The node's Prometheus metrics, in a registry of its own. */
export function createMetrics(nodeId: string) {
  const registry = new Registry()
  registry.setDefaultLabels({ node: nodeId })
  const registers = [registry]
  const sources: Partial<GaugeSources> = {}
  const ackSeconds = new Histogram({
    name: 'hangout_gateway_ack_seconds',
    help: 'Time from a client event to its ack, by event',
    labelNames: ['event'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  })
  const ackObservers = new Map<string, (seconds: number) => void>()
  const sampled = (name: string, help: string, source: keyof GaugeSources) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const read = sources[source]
        if (read) this.set(read())
      },
    })
  return {
    registry,
    /** Connects gauges to what they read; until then they read nothing. */
    sampleFrom(more: Partial<GaugeSources>): void {
      Object.assign(sources, more)
    },
    connections: new Gauge({ name: 'hangout_gateway_connections', help: 'Open sockets on this node', registers }),
    transports: sampled(
      'hangout_gateway_transports',
      'Engine.io connections still held open (a dropped socket whose queue was not discarded stays here)',
      'transports',
    ),
    rooms: sampled('hangout_gateway_rooms', 'Rooms with members on this node', 'rooms'),
    awayFromHome: sampled(
      'hangout_gateway_sockets_away_from_home',
      'Sockets on this node whose room lives on another node of the ring',
      'awayFromHome',
    ),
    rebalancedSockets: new Counter({
      name: 'hangout_gateway_rebalanced_sockets_total',
      help: 'Sockets told to reconnect to their room’s new home',
      registers,
    }),
    eventsIn: new HotLabeledCounter({
      name: 'hangout_gateway_events_in_total',
      help: 'Client events received, by event',
      label: 'event',
      registers,
    }),
    eventsOut: new HotLabeledCounter({
      name: 'hangout_gateway_events_out_total',
      help: 'Server events broadcast from this node, by event',
      label: 'event',
      registers,
    }),
    rejected: new Counter({
      name: 'hangout_gateway_rejected_total',
      help: 'Client events refused, by event and code',
      labelNames: ['event', 'code'],
      registers,
    }),
    /** Time from a client event to its ack: the event's own histogram child, made once per event. */
    ackSeconds(event: string): (seconds: number) => void {
      let observe = ackObservers.get(event)
      if (!observe) {
        observe = ackSeconds.labels(event).observe
        ackObservers.set(event, observe)
      }
      return observe
    },
    handshakesRefused: new Counter({
      name: 'hangout_gateway_handshakes_refused_total',
      help: 'Handshakes with a valid signature refused by the Redis check: revoked, socket_quota (20 per user), or redis_unavailable (fail closed)',
      labelNames: ['reason'],
      registers,
    }),
    chatBatch: new Histogram({
      name: 'hangout_gateway_chat_batch_messages',
      help: 'Messages per chat write (group commit: one insertMany in flight per node)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    deliveries: new HotCounter({
      name: 'hangout_gateway_deliveries_total',
      help: 'Server events written to sockets of this node (one broadcast to a room of n sockets here counts n)',
      registers,
    }),
    broadcasts: new Counter({
      name: 'hangout_gateway_room_broadcasts_total',
      help: 'Broadcasts to one room: path "local" (no other node has members, Redis skipped) or "cluster" (published)',
      labelNames: ['path'],
      registers,
    }),
    reapedUsers: new Counter({
      name: 'hangout_gateway_presence_reaped_users_total',
      help: 'Users this node removed from rooms by reaping the presence of a dead node (or its own stale presence at start)',
      registers,
    }),
    redisErrors: new Counter({ name: 'hangout_gateway_redis_errors_total', help: 'Redis client errors', registers }),
    disconnects: new Counter({
      name: 'hangout_gateway_forced_disconnects_total',
      help: 'Sockets this node cut off, by reason',
      labelNames: ['reason'],
      registers,
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
