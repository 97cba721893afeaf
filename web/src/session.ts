import { interpretedValidator, User } from '@hangout/protocol'
import { signal } from '@preact/signals'
import { tokenExpiry } from './token.js'

export interface Session {
  token: string
  user: User
  /** Ms since the epoch. */
  expiresAt: number
}

export type SessionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export const SESSION_KEY = 'hangout.session'
export const EXPIRED_NOTICE = 'Your session has expired. Please sign in again.'
export const SIGNED_OUT_ELSEWHERE = 'You signed out in another tab.'

const userCheck = interpretedValidator(User)

/** A session from a fresh token, or null when the token carries no expiry or has already expired. */
export function sessionFromToken(token: string, user: User, now = Date.now()): Session | null {
  const expiresAt = tokenExpiry(token)
  if (expiresAt === null || expiresAt <= now) return null
  return { token, user, expiresAt }
}

/** The stored session, `expired` when there was one whose time is up, null when none or unreadable. */
export function readStoredSession(storage: SessionStorage, now = Date.now()): { session: Session | null; expired: boolean } {
  const raw = storage.getItem(SESSION_KEY)
  if (!raw) return { session: null, expired: false }
  let stored: { token?: unknown; user?: unknown }
  try {
    stored = JSON.parse(raw)
  } catch {
    storage.removeItem(SESSION_KEY)
    return { session: null, expired: false }
  }
  const user = userCheck.check(stored.user)
  if (typeof stored.token !== 'string' || !user.ok) {
    storage.removeItem(SESSION_KEY)
    return { session: null, expired: false }
  }
  const session = sessionFromToken(stored.token, user.value, now)
  if (!session) {
    storage.removeItem(SESSION_KEY)
    return { session: null, expired: true }
  }
  return { session, expired: false }
}

/** The signed-in user, kept in storage so it survives a reload, and signed out when the token expires. */
export function createSessionStore(storage: SessionStorage) {
  const initial = readStoredSession(storage)
  const current = signal<Session | null>(initial.session)
  /** Why the user is looking at the sign-in page, when it was not their choice. */
  const notice = signal<string | null>(initial.expired ? EXPIRED_NOTICE : null)
  let expiryTimer: ReturnType<typeof setTimeout> | undefined

  const watchExpiry = (session: Session | null) => {
    clearTimeout(expiryTimer)
    // setTimeout cannot wait longer than ~24.8 days; a longer token is checked again on reload.
    if (session) expiryTimer = setTimeout(() => end(EXPIRED_NOTICE), Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1))
  }

  function start(token: string, user: User): void {
    const session = sessionFromToken(token, user)
    if (!session) throw new Error('The server answered a token that has no valid expiry')
    storage.setItem(SESSION_KEY, JSON.stringify({ token, user }))
    notice.value = null
    current.value = session
    watchExpiry(session)
  }

  function end(why: string | null = null): void {
    storage.removeItem(SESSION_KEY)
    notice.value = why
    current.value = null
    watchExpiry(null)
  }

  /**
   * Another tab signed in or out (a `storage` event on SESSION_KEY): follow it, so no tab stays
   * signed in with a token that was revoked or replaced elsewhere.
   */
  function sync(): void {
    const stored = readStoredSession(storage)
    const now = current.peek()
    if (stored.session?.token === now?.token) return
    if (!stored.session) {
      notice.value = stored.expired ? EXPIRED_NOTICE : SIGNED_OUT_ELSEWHERE
      current.value = null
      watchExpiry(null)
      return
    }
    notice.value = null
    current.value = stored.session
    watchExpiry(stored.session)
  }

  watchExpiry(initial.session)
  /** Stops watching the clock (the app never needs to; tests do, to let their process end). */
  const dispose = () => clearTimeout(expiryTimer)
  return { current, notice, start, end, sync, dispose }
}

export type SessionStore = ReturnType<typeof createSessionStore>
