import { MongoNetworkError, MongoOperationTimeoutError, MongoServerSelectionError } from 'mongodb'

/**
 * Whether an error says that MongoDB or Redis did not answer (gone, unreachable, or too slow within
 * DEPENDENCY_TIMEOUT_MS), as opposed to answering with an error. Such a request answers 503: the
 * same request may well succeed once the store is back. A store that answers an error stays a 500.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoOperationTimeoutError
  ) {
    return true
  }
  return error instanceof Error && REDIS_UNAVAILABLE.some((text) => error.message.startsWith(text))
}

/** ioredis raises these as plain Errors (or AbortErrors) whose messages are the only mark. */
const REDIS_UNAVAILABLE = [
  // commandTimeout passed
  'Command timed out',
  // maxRetriesPerRequest used up while reconnecting
  'Reached the max retries per request limit',
  // enableOfflineQueue: false, and the connection is down
  "Stream isn't writeable",
  'Connection is closed',
]
