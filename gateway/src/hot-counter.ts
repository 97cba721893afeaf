import { Counter, type Registry } from 'prom-client'

interface HotCounterConfig {
  name: string
  help: string
  registers: Registry[]
}

/**
 * A Prometheus counter counted on a hot path (every client event, every delivery): an increment is
 * an addition to a plain number, handed to prom-client when the registry is scraped (its `collect`).
 * prom-client's own `inc` hashes and validates the labels on every call and showed in the profile of
 * a click load. Reads through the registry (`/metrics`, `get()`) see every increment made before them.
 */
export class HotCounter {
  private pending = 0
  readonly counter: Counter

  constructor(config: HotCounterConfig) {
    const hot = this
    this.counter = new Counter({
      ...config,
      collect() {
        if (hot.pending > 0) this.inc(hot.pending)
        hot.pending = 0
      },
    })
  }

  inc(n = 1): void {
    this.pending += n
  }
}

/** The same for a counter with one label (`event`, ...): one plain number per label value. */
export class HotLabeledCounter<L extends string> {
  private readonly pending = new Map<string, number>()
  readonly counter: Counter<L>

  constructor(config: HotCounterConfig & { label: L }) {
    const { label, ...rest } = config
    const pending = this.pending
    this.counter = new Counter<L>({
      ...rest,
      labelNames: [label],
      collect() {
        for (const [value, n] of pending) if (n > 0) this.inc({ [label]: value } as Record<L, string>, n)
        pending.clear()
      },
    })
  }

  inc(value: string, n = 1): void {
    this.pending.set(value, (this.pending.get(value) ?? 0) + n)
  }
}
