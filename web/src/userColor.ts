/**
 * Colours that read as different at a glance, each dark enough for white text and for an outline
 * on the light catalog.
 */
export const USER_COLOURS = [
  '#d1495b',
  '#d9661a',
  '#a87b00',
  '#2e8b3e',
  '#0f8b8d',
  '#1f6fb4',
  '#7b3fc4',
  '#b03a9e',
  '#6d7f1a',
  '#8d5524',
  '#4a6572',
] as const

/** The colour of a user's highlights and avatar, the same on every screen: picked by a hash (FNV-1a) of the user id. */
export function userColor(userId: string): string {
  let hash = 0x811c9dc5
  for (let index = 0; index < userId.length; index++) {
    hash ^= userId.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return USER_COLOURS[(hash >>> 0) % USER_COLOURS.length] ?? USER_COLOURS[0]
}
