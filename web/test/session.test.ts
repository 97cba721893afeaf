import type { User } from '@hangout/protocol'
import { readStoredSession, SESSION_KEY, type SessionStorage, sessionFromToken } from '../src/session.js'
import { tokenExpiry } from '../src/token.js'

const user: User = { id: 'u-1', name: 'Ana', email: 'ana@example.com', createdAt: '2026-01-01T00:00:00.000Z' }

/** A token shaped like the API's (header.claims.signature, base64url); the app reads only `exp`. */
function token(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`
}

class MemoryStorage implements SessionStorage {
  readonly items = new Map<string, string>()
  getItem(key: string) {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string) {
    this.items.set(key, value)
  }
  removeItem(key: string) {
    this.items.delete(key)
  }
}

const now = 1_800_000_000_000

describe('the session', () => {
  test('a token’s expiry is its exp claim in ms; anything else has none', () => {
    expect(tokenExpiry(token({ sub: 'u', exp: 1_800_000_123 }))).toBe(1_800_000_123_000)
    // base64url characters (- and _) and missing padding decode too.
    expect(tokenExpiry(token({ sub: 'ü?>>~', name: '¿¿??', exp: 42 }))).toBe(42_000)
    expect(tokenExpiry(token({ sub: 'u' }))).toBeNull()
    expect(tokenExpiry(token({ exp: 'soon' }))).toBeNull()
    expect(tokenExpiry('not-a-token')).toBeNull()
    expect(tokenExpiry('a.%%%.c')).toBeNull()
  })

  test('a stored, unexpired session survives a reload', () => {
    const storage = new MemoryStorage()
    const fresh = token({ sub: user.id, exp: now / 1000 + 3600 })
    storage.setItem(SESSION_KEY, JSON.stringify({ token: fresh, user }))
    expect(readStoredSession(storage, now)).toEqual({
      session: { token: fresh, user, expiresAt: now + 3_600_000 },
      expired: false,
    })
  })

  test('an expired one is dropped and reported as expired', () => {
    const storage = new MemoryStorage()
    storage.setItem(SESSION_KEY, JSON.stringify({ token: token({ sub: user.id, exp: now / 1000 - 1 }), user }))
    expect(readStoredSession(storage, now)).toEqual({ session: null, expired: true })
    expect(storage.items.has(SESSION_KEY)).toBe(false)
  })

  test('garbage in storage is dropped, not trusted', () => {
    const storage = new MemoryStorage()
    for (const raw of ['{not json', JSON.stringify({ token: 5, user }), JSON.stringify({ token: 'x.y.z', user: { id: 1 } })]) {
      storage.setItem(SESSION_KEY, raw)
      expect(readStoredSession(storage, now)).toEqual({ session: null, expired: false })
      expect(storage.items.has(SESSION_KEY)).toBe(false)
    }
    expect(readStoredSession(storage, now)).toEqual({ session: null, expired: false })
  })

  test('a new session needs a token with a future expiry', () => {
    expect(sessionFromToken(token({ exp: now / 1000 + 60 }), user, now)?.expiresAt).toBe(now + 60_000)
    expect(sessionFromToken(token({ exp: now / 1000 }), user, now)).toBeNull()
    expect(sessionFromToken('opaque', user, now)).toBeNull()
  })
})
