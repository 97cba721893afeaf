import { probeHealth } from '@hangout/runtime'
/**
 * The edge's active health check of the gateways. nginx only sees a node fail when a TCP connect
 * is refused; a frozen or hung node accepts connections and never answers, so nginx would keep
 * sending its rooms there. This polls every running node's /healthz and reports the set of nodes
 * that have not answered for `downAfterMs`, so the caller takes them out of the upstream (and puts
 * them back when they answer again). Any HTTP answer counts, 503 too: a node that answers "Redis
 * is down" is alive, and every node says so at once when Redis is down. A node whose process is not
 * running (crashed, restarting) is never reported: nginx skips a refused node by itself, and a
 * restarted node must be in the upstream the moment it serves.
 */

export interface HealthTarget {
  index: number
  url: string
  running: boolean
}

export interface GatewayHealthOptions {
  targets: () => HealthTarget[]
  /** Called with the new set of unanswering nodes whenever it changes; awaited before the next poll. */
  onChange: (unresponsive: ReadonlySet<number>) => Promise<void>
  intervalMs?: number
  downAfterMs?: number
  /** Longer than the gateway's own 1 s Redis ping in /healthz, so a Redis stall is not a silence. */
  probeTimeoutMs?: number
  onEvent?: (line: string) => void
}

export const HEALTH_INTERVAL_MS = 1000
export const HEALTH_DOWN_AFTER_MS = 3000
const PROBE_TIMEOUT_MS = 2000

export class GatewayHealth {
  private readonly lastAnswer = new Map<number, number>()
  private readonly unresponsive = new Set<number>()
  private stopped = false
  /** The last onChange failed: try again on the next poll. */
  private retry = false
  private loop: Promise<void> | undefined
  private wake: (() => void) | undefined

  constructor(private readonly options: GatewayHealthOptions) {}

  get down(): ReadonlySet<number> {
    return this.unresponsive
  }

  start(): void {
    this.loop ??= this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.loop
  }

  private async run(): Promise<void> {
    const interval = this.options.intervalMs ?? HEALTH_INTERVAL_MS
    while (!this.stopped) {
      const started = Date.now()
      await this.poll()
      await new Promise<void>((resolve) => {
        this.wake = resolve
        setTimeout(resolve, Math.max(0, interval - (Date.now() - started)))
      })
    }
  }

  private async poll(): Promise<void> {
    const downAfter = this.options.downAfterMs ?? HEALTH_DOWN_AFTER_MS
    const targets = this.options.targets()
    const answered = await Promise.all(targets.map((t) => (t.running ? answers(t.url, this.timeout) : false)))
    if (this.stopped) return
    const now = Date.now()
    let changed = false
    const known = new Set(targets.map((t) => t.index))
    for (const index of this.unresponsive) {
      if (!known.has(index)) changed = this.unresponsive.delete(index) || changed
    }
    targets.forEach((target, i) => {
      if (!target.running || answered[i]) {
        this.lastAnswer.set(target.index, now)
        if (this.unresponsive.delete(target.index)) {
          changed = true
          this.options.onEvent?.(
            `gateway-${target.index} ${target.running ? 'answers again' : 'is not running'}: back in the edge's upstream`,
          )
        }
        return
      }
      const silentMs = now - (this.lastAnswer.get(target.index) ?? now)
      if (!this.lastAnswer.has(target.index)) this.lastAnswer.set(target.index, now)
      if (silentMs >= downAfter && !this.unresponsive.has(target.index)) {
        this.unresponsive.add(target.index)
        changed = true
        this.options.onEvent?.(`gateway-${target.index} has not answered /healthz for ${silentMs} ms: out of the edge's upstream`)
      }
    })
    if (changed || this.retry) {
      this.retry = false
      await this.options.onChange(new Set(this.unresponsive)).catch((err: Error) => {
        this.retry = true
        this.options.onEvent?.(`health check: the edge could not be updated: ${err.message.split('\n')[0]}`)
      })
    }
  }

  private get timeout(): number {
    return this.options.probeTimeoutMs ?? PROBE_TIMEOUT_MS
  }
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  return (await probeHealth(`${url}/healthz`, timeoutMs)) !== undefined
}
