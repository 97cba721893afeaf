import { type Static, Type } from 'typebox'

/** REST error codes and the HTTP status each one answers with. */
export const RestErrorStatus = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROOM_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const

export type RestErrorCode = keyof typeof RestErrorStatus
export const REST_ERROR_CODES = Object.keys(RestErrorStatus) as RestErrorCode[]

/** Codes a socket acknowledgement may carry. */
export const AckErrorCodes = ['BAD_REQUEST', 'ROOM_NOT_FOUND', 'NOT_IN_ROOM', 'FORBIDDEN', 'RATE_LIMITED', 'INTERNAL'] as const
export type AckErrorCode = (typeof AckErrorCodes)[number]

export const RestError = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(REST_ERROR_CODES),
      message: Type.String(),
    }),
  },
  { additionalProperties: false },
)
export type RestError = Static<typeof RestError>

export const AckError = Type.Object({
  ok: Type.Literal(false),
  error: Type.Object({
    code: Type.Enum(AckErrorCodes),
    message: Type.String(),
  }),
})
export type AckError = Static<typeof AckError>

/** The message every connect_error carries when the handshake token is refused. */
export const HANDSHAKE_UNAUTHORIZED = 'UNAUTHORIZED'
export const HANDSHAKE_FORBIDDEN_ORIGIN = 'FORBIDDEN_ORIGIN'
/** The user holds the most sockets allowed at once across the cluster (CONTRACT: 20). */
export const HANDSHAKE_RATE_LIMITED = 'RATE_LIMITED'
/** The handshake could not be checked now (the user store does not answer): try again later. */
export const HANDSHAKE_UNAVAILABLE = 'UNAVAILABLE'
