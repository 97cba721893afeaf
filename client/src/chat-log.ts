import type { ChatMessage } from '@hangout/protocol'

/** How far a message has been changed: a deletion is final, a later edit beats an earlier one. */
function revision(message: ChatMessage): number {
  return message.deleted ? Number.POSITIVE_INFINITY : (message.editedAt ?? 0)
}

/**
 * Merges messages into a log: each id once, ascending seq, a known message replaced by a later
 * revision of it (edited, deleted). Returns `current` itself when nothing is new.
 */
export function mergeMessages(current: readonly ChatMessage[], incoming: readonly ChatMessage[]): readonly ChatMessage[] {
  // Each id's latest revision, whichever side brought it.
  const latest = new Map(current.map((message) => [message.id, message]))
  let revised = false
  const fresh = incoming.filter((message) => {
    const had = latest.get(message.id)
    if (had && revision(message) > revision(had)) {
      latest.set(message.id, message)
      revised = true
    }
    if (had) return false
    latest.set(message.id, message)
    return true
  })
  if (fresh.length === 0 && !revised) return current
  const merged = [...current, ...fresh].map((message) => latest.get(message.id) ?? message)
  const last = current.at(-1)
  // The common case, a live message after the last one, keeps the order without sorting.
  if (fresh.length <= 1 && (!last || !fresh[0] || last.seq < fresh[0].seq)) return merged
  return merged.sort((a, b) => a.seq - b.seq)
}

/** Messages missed while away: those with `after < seq < before`, fetched page by page going back. */
export interface Gap {
  after: number
  before: number
}

/**
 * What a (re)join's history leaves out of what this client already has: the history holds the
 * latest messages only, so if its first one lies beyond the last one known here, the ones between
 * were missed. Seqs grow strictly but may skip, so the gap is a range to fetch, not a count.
 */
export function gapBefore(known: readonly ChatMessage[], history: readonly ChatMessage[]): Gap | null {
  const lastKnown = known.at(-1)
  const firstNew = history[0]
  if (!lastKnown || !firstNew) return null
  if (firstNew.seq <= lastKnown.seq + 1) return null
  return { after: lastKnown.seq, before: firstNew.seq }
}

/**
 * Fills a gap through `fetchBefore(before)` (answers messages with seq < before, ascending), going
 * back until it reaches messages already known or the room's beginning. Returns what it fetched.
 */
export async function fillGap(
  gap: Gap,
  fetchBefore: (before: number) => Promise<ChatMessage[]>,
  maxPages = 20,
): Promise<ChatMessage[]> {
  const found: ChatMessage[] = []
  let before = gap.before
  for (let page = 0; page < maxPages && before > gap.after + 1; page++) {
    const batch = await fetchBefore(before)
    const first = batch[0]
    if (!first) break
    found.unshift(...batch.filter((message) => message.seq > gap.after))
    before = first.seq
  }
  return found
}

/**
 * When a gap seen on a live message is looked at again. A message merely late on another path
 * fills it before the first look; one stored after a later message (their inserts raced) may
 * still be missing at the first fetch, so an incomplete gap is fetched again, a bounded number of
 * times. The long tail is for a store that stalled (its seq taken, the database paused): such an
 * insert lands when the database resumes, which no deadline of the gateway's can stop. A gap
 * whose seqs were skipped for good (their store failed) costs five small reads over a minute.
 */
export const LIVE_GAP_LOOKS_MS = [400, 1500, 4000, 15_000, 60_000] as const

/** Whether every seq of the gap is in the log (seqs can skip, so a complete gap is the only sure answer). */
function complete(gap: Gap, log: readonly ChatMessage[]): boolean {
  const have = new Set(log.filter((message) => message.seq > gap.after && message.seq < gap.before).map((message) => message.seq))
  return have.size === gap.before - gap.after - 1
}

/**
 * Fills a gap seen on a live message (a seq beyond the last known + 1): the ones between were
 * missed, for example by a node cut off from the others while the socket stayed up, and no rejoin
 * will bring them. Looks at `LIVE_GAP_LOOKS_MS`, fetching while the gap is incomplete.
 */
export async function fillLiveGap(
  gap: Gap,
  log: () => readonly ChatMessage[],
  fetchBefore: (before: number) => Promise<ChatMessage[]>,
  add: (found: ChatMessage[]) => void,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  let waited = 0
  for (const at of LIVE_GAP_LOOKS_MS) {
    await wait(at - waited)
    waited = at
    if (complete(gap, log())) return
    add(await fillGap(gap, fetchBefore))
  }
}
