export interface Clock {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export interface Throttled<A> {
  (value: A): void
  /** Drops a pending trailing call. */
  cancel(): void
}

/**
 * Calls `run` at most once per `intervalMs`: at once when the interval has passed, otherwise once at
 * its end with the latest value, so the last value always goes out.
 */
export function throttle<A>(run: (value: A) => void, intervalMs: number, clock: Clock = realClock): Throttled<A> {
  let last = Number.NEGATIVE_INFINITY
  let timer: unknown
  let pending: { value: A } | undefined

  const fire = (value: A) => {
    last = clock.now()
    run(value)
  }

  const throttled = (value: A) => {
    const wait = last + intervalMs - clock.now()
    if (wait <= 0 && timer === undefined) {
      fire(value)
      return
    }
    pending = { value }
    if (timer === undefined) {
      timer = clock.setTimeout(
        () => {
          timer = undefined
          const due = pending
          pending = undefined
          if (due) fire(due.value)
        },
        Math.max(wait, 0),
      )
    }
  }
  throttled.cancel = () => {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
    pending = undefined
  }
  return throttled
}
