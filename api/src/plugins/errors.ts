import type { RestError, RestErrorCode } from '@hangout/protocol'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { isDependencyUnavailable } from '../dependency-failures.js'
import { ApiError } from '../errors.js'

/** Seconds a client is asked to wait before retrying after a 503. */
const RETRY_AFTER_SECONDS = 5

/** The one place where errors become the contract's `{error: {code, message}}`. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, code, message } = classify(error)
    if (status === 503) {
      request.log.warn({ reason: error.message }, 'a dependency did not answer')
      reply.header('retry-after', String(RETRY_AFTER_SECONDS))
    } else if (status >= 500) request.log.error({ err: error }, 'request failed')
    return send(reply, status, code, message)
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    return send(reply, 404, 'VALIDATION_FAILED', `no route ${request.method} ${path}`)
  })
})

function send(reply: FastifyReply, status: number, code: RestErrorCode, message: string): FastifyReply {
  const body: RestError = { error: { code, message } }
  return reply.code(status).type('application/json; charset=utf-8').send(body)
}

interface Classified {
  status: number
  code: RestErrorCode
  message: string
}

function classify(error: FastifyError): Classified {
  if (error instanceof ApiError) return { status: error.statusCode, code: error.code, message: error.message }
  if (error.validation) return { status: 400, code: 'VALIDATION_FAILED', message: validationMessage(error) }
  switch (error.statusCode) {
    case 413:
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' }
    case 429:
      return { status: 429, code: 'RATE_LIMITED', message: 'too many requests, try again later' }
    case 401:
      return { status: 401, code: 'UNAUTHORIZED', message: 'authentication required' }
    case 415:
      return { status: 400, code: 'VALIDATION_FAILED', message: 'body must be JSON (Content-Type: application/json)' }
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { status: 400, code: 'VALIDATION_FAILED', message: 'body is not valid JSON' }
  }
  // The contract has no code of its own for this: INTERNAL, with the status that says "try again".
  if (isDependencyUnavailable(error)) {
    return { status: 503, code: 'INTERNAL', message: 'a service this request needs is not answering; try again shortly' }
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    // Fastify's own client errors (empty body, bad content length...): its text names no internals.
    return { status: 400, code: 'VALIDATION_FAILED', message: error.message }
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error' }
}

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0]
  const part = error.validationContext ?? 'request'
  if (!first) return `${part} is invalid`
  const field = first.instancePath ? `${part}.${first.instancePath.slice(1).replaceAll('/', '.')}` : part
  return `${field} ${first.message ?? 'is invalid'}`
}
