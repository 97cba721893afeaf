import type { PublicUser } from '@hangout/protocol'

/** Who came and who went between two participant lists, leaving out the reader. */
export interface PresenceChanges {
  joined: PublicUser[]
  left: PublicUser[]
}

export function presenceChanges(before: readonly PublicUser[], after: readonly PublicUser[], meId: string): PresenceChanges {
  const beforeIds = new Set(before.map((user) => user.id))
  const afterIds = new Set(after.map((user) => user.id))
  return {
    joined: after.filter((user) => user.id !== meId && !beforeIds.has(user.id)),
    left: before.filter((user) => user.id !== meId && !afterIds.has(user.id)),
  }
}

/** Above this many names, one notice sums them up instead of one toast each. */
const NAMED_AT_MOST = 3

function summary(users: readonly PublicUser[], verb: string): string[] {
  if (users.length <= NAMED_AT_MOST) return users.map((user) => `${user.name} ${verb} while you were away`)
  const named = users.slice(0, 2).map((user) => user.name)
  return [`${named.join(', ')} and ${users.length - named.length} others ${verb} while you were away`]
}

/** The toasts for what changed while the reader was away: one per person, or a summary when many changed. */
export function presenceNotices({ joined, left }: PresenceChanges): string[] {
  return [...summary(left, 'left'), ...summary(joined, 'joined')]
}
