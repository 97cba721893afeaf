import { ROOM_ID_PATTERN } from '@hangout/protocol'

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
