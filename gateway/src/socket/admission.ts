import { HANDSHAKE_RATE_LIMITED, HANDSHAKE_UNAUTHORIZED, HANDSHAKE_UNAVAILABLE, type VerifiedClaims } from '@hangout/protocol'
import type { GatewaySocket } from './types.js'
import type { Metrics } from '../metrics.js'
import type { Sessions } from './sessions.js'
import type { SocketQuota } from './socket-quota.js'

/** How often at most the node logs that Redis did not answer a handshake's check. */
const UNAVAILABLE_LOG_MS = 10_000

/**
 * The handshake's second half, after the token itself was verified: one Redis round trip refuses a
 * revoked token (UNAUTHORIZED) or a user who holds every socket allowed (RATE_LIMITED), and takes
 * the socket's slot. No database is read. Redis not answering fails closed with UNAVAILABLE, which
 * clients retry. The slot is given back exactly once: on the socket's disconnect, or when its
 * connection closes before Socket.io ever connected it (a client gone during the check).
 */
export function createAdmission(
  quota: SocketQuota,
  sessions: Sessions,
  metrics: Metrics,
  onUnavailable: (err: unknown) => void,
  onError: (err: unknown) => void,
) {
  let loggedAt = 0
  return async function admit(socket: GatewaySocket, claims: VerifiedClaims): Promise<string | undefined> {
    const session = sessions.track(socket, claims)
    let admission: Awaited<ReturnType<SocketQuota['admit']>>
    try {
      admission = await quota.admit(claims)
    } catch (err) {
      session.untrack()
      metrics.handshakesRefused.inc({ reason: 'redis_unavailable' })
      if (Date.now() - loggedAt >= UNAVAILABLE_LOG_MS) {
        loggedAt = Date.now()
        onUnavailable(err)
      }
      return HANDSHAKE_UNAVAILABLE
    }
    if (!admission.admitted) {
      session.untrack()
      metrics.handshakesRefused.inc({ reason: admission.reason === 'full' ? 'socket_quota' : 'revoked' })
      return admission.reason === 'full' ? HANDSHAKE_RATE_LIMITED : HANDSHAKE_UNAUTHORIZED
    }
    const { release } = admission
    const done = () => {
      socket.conn.off('close', done)
      session.untrack()
      release().catch(onError)
    }
    if (session.revoked()) {
      done()
      metrics.handshakesRefused.inc({ reason: 'revoked' })
      return HANDSHAKE_UNAUTHORIZED
    }
    // Socket.io silently drops a socket whose connection closed during the middleware: no disconnect event.
    if (socket.conn.readyState !== 'open') {
      done()
      return HANDSHAKE_UNAVAILABLE
    }
    socket.once('disconnect', done)
    socket.conn.once('close', done)
    return undefined
  }
}
