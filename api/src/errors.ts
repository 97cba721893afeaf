import { type RestErrorCode, RestErrorStatus } from '@hangout/protocol'

/** An error with a contract code; the error plugin turns it into the wire shape. */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly statusCode: number

  constructor(
    readonly code: RestErrorCode,
    message: string,
  ) {
    super(message)
    this.statusCode = RestErrorStatus[code]
  }
}
