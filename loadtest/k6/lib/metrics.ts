/** The scenarios' custom metrics. k6 requires metrics to be created in the init context, hence module level. */
import { Counter, Rate, Trend } from 'k6/metrics'

/** join_room emit → its ack. */
export const joinAckMs = new Trend('join_ack_ms', true)
/** WebSocket opened → Socket.IO connected → join_room acked: the whole authenticated join. */
export const connectJoinMs = new Trend('connect_join_ms', true)
/** A chat message's emit by its sender → its receipt by each other member. */
export const fanoutMs = new Trend('fanout_ms', true)
/** Any activity event's emit → its ack. */
export const emitAckMs = new Trend('emit_ack_ms', true)
/** Events received from the room (messages and co-browse events). */
export const deliveries = new Counter('deliveries')
/** Acks with ok: false, or handshakes refused. */
export const ackErrors = new Counter('ack_errors')
export const connectErrors = new Counter('connect_errors')
/** Whether each user reached a joined room. */
export const joined = new Rate('joined')
