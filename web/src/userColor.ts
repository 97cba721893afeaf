/**
 * Colours that read as different at a glance (ten hues, no two neighbours alike), each with a
 * contrast of at least 4.5:1 against white and the page's light backgrounds, both as text on
 * them and as white text on the colour (userColor.test.ts checks it).
 */
export const USER_COLOURS = [
  '#b3261e', // red
  '#a15c00', // amber
  '#5b6b00', // olive
  '#1b7a3a', // green
  '#00767a', // teal
  '#1d5fbf', // blue
  '#6a1b9a', // purple
  '#ad1457', // pink
  '#5d4037', // brown
  '#37474f', // slate
] as const

/** A user's preferred colour, the same on every screen: picked by a hash (FNV-1a) of the user id. */
export function userColor(userId: string): string {
  return USER_COLOURS[colourIndex(userId)] ?? USER_COLOURS[0]
}

function colourIndex(userId: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < userId.length; index++) {
    hash ^= userId.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % USER_COLOURS.length
}

/**
 * Colours for the people of one room, distinct while there are fewer people than colours: each
 * takes its preferred colour unless someone earlier (by id, so every client agrees) has it, then
 * the next free one. Everyone else keeps their preferred colour.
 */
export function roomColours(userIds: Iterable<string>): ReadonlyMap<string, string> {
  const colours = new Map<string, string>()
  const taken = new Set<number>()
  for (const userId of [...new Set(userIds)].sort()) {
    let index = colourIndex(userId)
    if (taken.size < USER_COLOURS.length) while (taken.has(index)) index = (index + 1) % USER_COLOURS.length
    taken.add(index)
    colours.set(userId, USER_COLOURS[index] ?? USER_COLOURS[0])
  }
  return colours
}
