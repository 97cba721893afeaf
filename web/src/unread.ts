import type { ChatMessage } from '@hangout/protocol'
import { useEffect, useState } from 'preact/hooks'

const READ_KEY_PREFIX = 'hangout.read.'

/** The highest seq this browser had shown of a room when it was last there; null when never there. */
export function readMark(storage: Pick<Storage, 'getItem'>, roomId: string): number | null {
  const raw = Number(storage.getItem(READ_KEY_PREFIX + roomId))
  return Number.isInteger(raw) && raw > 0 ? raw : null
}

export function markRead(storage: Pick<Storage, 'setItem'>, roomId: string, seq: number): void {
  storage.setItem(READ_KEY_PREFIX + roomId, String(seq))
}

/** Others' messages past `afterSeq`: what the reader has not seen yet. */
export function countNew(messages: readonly ChatMessage[], afterSeq: number, meId: string): number {
  let count = 0
  for (const message of messages) if (message.seq > afterSeq && message.user.id !== meId && !message.deleted) count++
  return count
}

/** The first of others' messages past `afterSeq`, where the "new since you left" line goes. */
export function firstNew(messages: readonly ChatMessage[], afterSeq: number | null, meId: string): ChatMessage | undefined {
  if (afterSeq === null) return undefined
  return messages.find((message) => message.seq > afterSeq && message.user.id !== meId)
}

/**
 * How many of others' messages came while `away` (the tab hidden, the chat tab not shown); 0 when
 * not away. The mark is the last message shown when going away, or, when there was none yet, the
 * room's history once it arrives: a room opened on the catalog does not count its history as new.
 */
export function useUnreadWhile(away: boolean, messages: readonly ChatMessage[], meId: string): number {
  const [since, setSince] = useState<number | 'pending' | null>(null)
  const lastSeq = messages.at(-1)?.seq
  useEffect(() => {
    setSince(away ? (lastSeq ?? 'pending') : null)
    // Only a change of `away` moves the mark; new messages are what is counted.
  }, [away])
  useEffect(() => {
    if (since === 'pending' && lastSeq !== undefined) setSince(lastSeq)
  }, [since, lastSeq])
  // Back (`away` just went false): nothing is unread in this very render, not one effect later.
  return away && typeof since === 'number' ? countNew(messages, since, meId) : 0
}

/** Whether the document is hidden (another tab in front, the window minimised), kept up to date. */
export function useDocumentHidden(): boolean {
  const [hidden, setHidden] = useState(() => document.visibilityState === 'hidden')
  useEffect(() => {
    const update = () => setHidden(document.visibilityState === 'hidden')
    document.addEventListener('visibilitychange', update)
    return () => document.removeEventListener('visibilitychange', update)
  }, [])
  return hidden
}

/** Whether a media query matches now, kept up to date. */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches)
  useEffect(() => {
    const list = window.matchMedia(query)
    const update = () => setMatches(list.matches)
    list.addEventListener('change', update)
    update()
    return () => list.removeEventListener('change', update)
  }, [query])
  return matches
}
