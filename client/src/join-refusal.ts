import type { AckError } from '@hangout/protocol'

/** Before retrying a join the server answered with a passing error (INTERNAL, RATE_LIMITED). */
export const REJOIN_DELAY_MS = 1000

/** A join refused with these stays refused however often it is tried (no such room, a bad payload). */
export function joinRefusalIsFinal(code: AckError['error']['code']): boolean {
  return code === 'ROOM_NOT_FOUND' || code === 'BAD_REQUEST'
}
