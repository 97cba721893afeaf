import { forbiddenCharacter, ROOM_ID_PATTERN } from '@hangout/protocol'

export type Route =
  | { name: 'lobby' }
  | { name: 'login'; next: string | null }
  | { name: 'register'; next: string | null }
  | { name: 'room'; roomId: string }
  | { name: 'notFound' }

const roomIdPattern = new RegExp(ROOM_ID_PATTERN)

/** Only a path of this app may be a place to return to after signing in (no `//host` or `https:`). */
export function safeNext(next: string | null): string | null {
  return next?.startsWith('/') && !next.startsWith('//') ? next : null
}

export function parseRoute(pathname: string, search = ''): Route {
  const next = safeNext(new URLSearchParams(search).get('next'))
  const path = pathname.replace(/\/+$/, '') || '/'
  if (path === '/') return { name: 'lobby' }
  if (path === '/login') return { name: 'login', next }
  if (path === '/register') return { name: 'register', next }
  const room = path.match(/^\/room\/([^/]+)$/)?.[1]
  if (room !== undefined) {
    const roomId = decodeURIComponent(room)
    if (roomIdPattern.test(roomId)) return { name: 'room', roomId }
  }
  return { name: 'notFound' }
}

/**
 * The room an after-sign-in path leads to, with the name its invite link carries (null when the link
 * names none, or a name no room could have).
 */
export function invitation(next: string | null): { roomId: string; name: string | null } | null {
  if (!next) return null
  const url = new URL(next, 'http://next.invalid')
  const route = parseRoute(url.pathname)
  if (route.name !== 'room') return null
  let name: string | null = null
  try {
    name = decodeURIComponent(url.hash.slice(1)).trim()
  } catch {}
  const plausible = name && name.length <= 60 && forbiddenCharacter(name, false) === undefined
  return { roomId: route.roomId, name: plausible ? name : null }
}

export function roomPath(roomId: string): string {
  return `/room/${encodeURIComponent(roomId)}`
}

/** The room id in what someone pasted: an invite link (`…/room/<id>`) or the bare id; null if neither. */
export function roomIdFromInput(input: string): string | null {
  const text = input.trim()
  if (roomIdPattern.test(text)) return text
  let pathname: string
  try {
    pathname = new URL(text, 'http://paste.invalid').pathname
  } catch {
    return null
  }
  const route = parseRoute(pathname)
  return route.name === 'room' ? route.roomId : null
}
