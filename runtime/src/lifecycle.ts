import closeWithGrace from 'close-with-grace'
import { ConfigError } from './env-config.js'

/** The part of a pino logger (or Fastify's) that the shutdown writes to. */
export interface ShutdownLog {
  info(fields: object, message: string): void
  error(fields: object, message: string): void
}

export interface Stopping {
  /** The signal that asked for the stop (SIGTERM, SIGINT), if one did. */
  signal?: string
  /** The uncaught exception or unhandled rejection that ended the process, if one did. */
  err?: Error
}

/**
 * Runs `stop` once on SIGTERM, SIGINT, an uncaught exception or an unhandled rejection, then exits;
 * a stop that takes longer than `delayMs` is cut short. Every service shuts down through this.
 */
export function onShutdown(log: ShutdownLog, delayMs: number, stop: (why: Stopping) => Promise<void>): void {
  closeWithGrace({ delay: delayMs }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'stopping after an error')
    else log.info({ signal }, 'stopping')
    await stop({ ...(signal ? { signal } : {}), ...(err ? { err } : {}) })
  })
}

/** What a service's entry point does when it cannot start: one line, never a stack for a bad variable. */
export function exitOnStartFailure(service: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof ConfigError) console.error(err.message)
    else console.error(`${service}: cannot start:`, err instanceof Error ? err.message : err)
    process.exit(1)
  }
}
