import type { ManagedProcess } from './process.js'

export interface SupervisedOptions {
  name: string
  /** Starts the process and resolves once it serves (e.g. startGateway). */
  start: () => Promise<ManagedProcess>
  /** Restart it when it exits on its own (with backoff). Off: a crash leaves it down. */
  restart: boolean
  onEvent?: (line: string) => void
}

const FIRST_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 15_000
/** A process that stayed up this long had recovered: its next crash starts the backoff afresh. */
const HEALTHY_AFTER_MS = 30_000

/** One long-lived child: started, watched, restarted after a crash with exponential backoff, stopped on purpose. */
export class Supervised {
  private proc: ManagedProcess | undefined
  private stopping = false
  private backoffMs = FIRST_BACKOFF_MS
  private retry: NodeJS.Timeout | undefined
  restarts = 0

  constructor(private readonly options: SupervisedOptions) {}

  get name(): string {
    return this.options.name
  }

  get process(): ManagedProcess | undefined {
    return this.proc
  }

  get running(): boolean {
    return this.proc?.running ?? false
  }

  async start(): Promise<void> {
    this.stopping = false
    const proc = await this.options.start()
    this.proc = proc
    const startedAt = Date.now()
    proc.exited.then((code) => {
      if (this.stopping || this.proc !== proc) return
      if (Date.now() - startedAt > HEALTHY_AFTER_MS) this.backoffMs = FIRST_BACKOFF_MS
      this.options.onEvent?.(
        `${this.name} exited (${code}); ${this.options.restart ? `restarting in ${this.backoffMs} ms` : 'left down'}`,
      )
      if (this.options.restart) this.scheduleRestart()
    })
  }

  private scheduleRestart(): void {
    const wait = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS)
    this.retry = setTimeout(() => {
      this.retry = undefined
      if (this.stopping) return
      this.start().then(
        () => {
          this.restarts++
          this.options.onEvent?.(`${this.name} restarted`)
        },
        (err: Error) => {
          this.options.onEvent?.(`${this.name} failed to restart: ${err.message.split('\n')[0]}`)
          if (!this.stopping) this.scheduleRestart()
        },
      )
    }, wait)
  }

  /** SIGTERM (the process shuts down with grace), SIGKILL after `graceMs`; no restart. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true
    clearTimeout(this.retry)
    await this.proc?.stop(graceMs)
  }

  /** SIGKILL, like a crash; restarted later only if `restart` is on. */
  async kill(): Promise<void> {
    await this.proc?.kill()
  }
}
