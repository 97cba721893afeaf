/** Puts text on the clipboard; false when the browser refuses (no permission, not a secure context). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

/**
 * A room's link. Its name rides in the fragment, which browsers never send to a server, so that a
 * signed-out person can be told which room they are about to join.
 */
export function inviteLink(origin: string, roomPath: string, roomName?: string): string {
  const url = new URL(roomPath, origin)
  if (roomName) url.hash = encodeURIComponent(roomName)
  return url.href
}
