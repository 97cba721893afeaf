import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Log fields that must never be written: tokens and passwords, wherever they sit. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'password',
  'token',
  '*.password',
  '*.token',
  '*.passwordHash',
  '*.auth.token',
]

/** The pino options every service logs with: JSON lines, its name on each, secrets redacted. */
export function loggerOptions(level: LogLevel, service: string): LoggerOptions {
  return { level, base: { service }, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }
}

/** A service's root logger; modules take `logger.child({ module })`. */
export function createLogger(level: LogLevel, service: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, service), destination) : pino(loggerOptions(level, service))
}

export type { Logger }
