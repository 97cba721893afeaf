/** Puts text on the clipboard; false when the browser refuses (no permission, not a secure context). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

export function inviteLink(origin: string, roomPath: string): string {
  return new URL(roomPath, origin).href
}
