/** The contract: `user_typing` is shown for 3 s unless renewed. */
export const TYPING_SHOWN_MS = 3000
/** The contract: a typist sends `typing` at most every 2 s. */
export const TYPING_EVERY_MS = 2000

/** "Bob is typing…", "Bob and Cat are typing…", "Bob, Cat and 2 others are typing…". */
export function typingSummary(names: readonly string[]): string {
  const [first, second, third] = names
  if (!first) return ''
  if (!second) return `${first} is typing…`
  if (!third) return `${first} and ${second} are typing…`
  const others = names.length - 2
  return `${first}, ${second} and ${others === 1 ? '1 other' : `${others} others`} are typing…`
}

/** Lets a typist's `typing` out at most every TYPING_EVERY_MS while they type. */
export function typingSender(send: () => void, now: () => number = Date.now) {
  let last = Number.NEGATIVE_INFINITY
  return {
    typed(): void {
      const at = now()
      if (at - last < TYPING_EVERY_MS) return
      last = at
      send()
    },
    /** A sent message ends the typing: the next keystroke announces it again. */
    reset(): void {
      last = Number.NEGATIVE_INFINITY
    },
  }
}
