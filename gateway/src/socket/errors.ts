import type { AckError, AckErrorCode } from '@hangout/protocol'

/** A refused event: its contract code travels to the client in the ack. */
export class AckFailure extends Error {
  constructor(
    readonly code: AckErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'AckFailure'
  }
}

/** The one place that turns a thrown error into the ack's wire shape; unknown errors never leak details. */
export function ackError(err: unknown): AckError {
  if (err instanceof AckFailure) return { ok: false, error: { code: err.code, message: err.message } }
  return { ok: false, error: { code: 'INTERNAL', message: 'internal error, try again' } }
}
