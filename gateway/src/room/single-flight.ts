/** Calls under way by key: callers that ask while one runs share its answer instead of starting another. */
export class SingleFlight<V> {
  private readonly running = new Map<string, Promise<V>>()

  run(key: string, call: () => Promise<V>): Promise<V> {
    const known = this.running.get(key)
    if (known) return known
    const started = call().finally(() => this.running.delete(key))
    this.running.set(key, started)
    return started
  }
}
