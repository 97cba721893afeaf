import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The header the edge sets to nginx's $request_id, so one id names a request in both logs. */
export const REQUEST_ID_HEADER = 'x-request-id'
/** nginx's $request_id is 32 hex digits; accept any short token of that alphabet, never free text into a log. */
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/

/**
 * The edge's id of a request (an API call, or the handshake of a socket) when it is one, else a
 * fresh UUID (a direct caller, or a forged header). Fastify's genReqId; the gateway's socket logs.
 */
export function requestId(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER]
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}
