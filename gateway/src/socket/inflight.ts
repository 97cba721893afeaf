/** Counts client events still being handled, so a drain can let their acks go out before disconnecting. */
export class InFlight {
  private count = 0
  private waiters: (() => void)[] = []

  /** An event's work starts; `end` must follow once, when it has answered. */
  begin(): void {
    this.count++
  }

  end(): void {
    this.count--
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake()
  }

  /** Resolves when nothing is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}
