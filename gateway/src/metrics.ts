import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/** The node's Prometheus metrics, in a registry of its own. */
export function createMetrics(nodeId: string, roomCount: () => number, transportCount: () => number) {
  const registry = new Registry()
  registry.setDefaultLabels({ node: nodeId })
  const registers = [registry]
  return {
    registry,
    connections: new Gauge({ name: 'hangout_gateway_connections', help: 'Open sockets on this node', registers }),
    transports: new Gauge({
      name: 'hangout_gateway_transports',
      help: 'Engine.io connections still held open (a dropped socket whose queue was not discarded stays here)',
      registers,
      collect() {
        this.set(transportCount())
      },
    }),
    rooms: new Gauge({
      name: 'hangout_gateway_rooms',
      help: 'Rooms with members on this node',
      registers,
      collect() {
        this.set(roomCount())
      },
    }),
    eventsIn: new Counter({
      name: 'hangout_gateway_events_in_total',
      help: 'Client events received, by event',
      labelNames: ['event'],
      registers,
    }),
    eventsOut: new Counter({
      name: 'hangout_gateway_events_out_total',
      help: 'Server events broadcast from this node, by event',
      labelNames: ['event'],
      registers,
    }),
    rejected: new Counter({
      name: 'hangout_gateway_rejected_total',
      help: 'Client events refused, by event and code',
      labelNames: ['event', 'code'],
      registers,
    }),
    ackSeconds: new Histogram({
      name: 'hangout_gateway_ack_seconds',
      help: 'Time from a client event to its ack, by event',
      labelNames: ['event'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    handshakesRefused: new Counter({
      name: 'hangout_gateway_handshakes_refused_total',
      help: 'Handshakes with a valid token refused by the user check: user_gone, or user_store_unavailable (MongoDB did not answer; fail closed)',
      labelNames: ['reason'],
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
