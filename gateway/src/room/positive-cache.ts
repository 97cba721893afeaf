const CACHE_MAX = 10_000

/** Remembers values found for a while; what was not found is never cached (it is asked again). */
export class PositiveCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>()

  constructor(private readonly ttlMs: number) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key)
    if (hit && hit.until > Date.now()) return hit.value
    if (hit) this.entries.delete(key)
    return undefined
  }

  set(key: string, value: V): void {
    if (this.entries.size >= CACHE_MAX) this.entries.clear()
    this.entries.set(key, { value, until: Date.now() + this.ttlMs })
  }
}
