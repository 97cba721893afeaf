import { type RestErrorCode, Routes } from '@hangout/protocol'

/** What the OpenAPI document says of a route beyond its schemas: who may call it and how it can fail. */
export interface RouteDoc {
  summary: string
  tag: 'auth' | 'rooms' | 'operations'
  /** Takes `Authorization: Bearer <token>`. */
  bearer: boolean
  /** The error codes it may answer with, beside its success (each at its RestErrorStatus). */
  errors: RestErrorCode[]
}

/** Every error a route with a JSON body may meet before its handler runs. */
const BODY_ERRORS: RestErrorCode[] = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'INTERNAL']

/**
 * The contract's routes (CONTRACT.md's REST table), by path. Keyed by every route of `Routes`, so a
 * route added to the contract without a line here fails to typecheck.
 */
export const ROUTE_DOCS: Record<(typeof Routes)[keyof typeof Routes], RouteDoc> = {
  [Routes.register]: {
    summary: 'Create an account; answers a token for it',
    tag: 'auth',
    bearer: false,
    errors: [...BODY_ERRORS, 'EMAIL_TAKEN', 'RATE_LIMITED'],
  },
  [Routes.login]: {
    summary: 'Sign in; the same UNAUTHORIZED for an unknown email and a wrong password',
    tag: 'auth',
    bearer: false,
    errors: [...BODY_ERRORS, 'UNAUTHORIZED', 'RATE_LIMITED'],
  },
  [Routes.logout]: {
    summary: 'Revoke the presented token everywhere (its open sockets are cut within 5 s)',
    tag: 'auth',
    bearer: true,
    errors: ['UNAUTHORIZED', 'INTERNAL'],
  },
  [Routes.profile]: { summary: 'The signed-in user', tag: 'auth', bearer: true, errors: ['UNAUTHORIZED', 'INTERNAL'] },
  [Routes.createRoom]: {
    summary: 'Create a room owned by the caller',
    tag: 'rooms',
    bearer: true,
    errors: [...BODY_ERRORS, 'UNAUTHORIZED', 'RATE_LIMITED'],
  },
  [Routes.joinRoom]: {
    summary: 'Join a room by its id (the id is the invitation)',
    tag: 'rooms',
    bearer: true,
    errors: [...BODY_ERRORS, 'UNAUTHORIZED', 'ROOM_NOT_FOUND'],
  },
  [Routes.listRooms]: {
    summary: 'The rooms the caller owns or has joined, most recently used first, with users online now',
    tag: 'rooms',
    bearer: true,
    errors: ['UNAUTHORIZED', 'INTERNAL'],
  },
  [Routes.roomMessages]: {
    summary: 'A page of a room’s chat history, ascending seq, all below `before`',
    tag: 'rooms',
    bearer: true,
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'ROOM_NOT_FOUND', 'INTERNAL'],
  },
}

/** The API's own routes for operators (not served through the edge's /api/ for /metrics). */
export const OPERATIONS_DOCS: Record<string, RouteDoc> = {
  '/healthz': {
    summary: '200 when MongoDB and Redis answer, else 503 naming those down',
    tag: 'operations',
    bearer: false,
    errors: [],
  },
  '/metrics': {
    summary: 'Prometheus text format; on the API’s own port only (the edge answers 404)',
    tag: 'operations',
    bearer: false,
    errors: [],
  },
}
