import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

/** The bench's usage: the comment that opens loadtest/src/bench.ts, so it is written once. */
function usage(): string {
  const source = readFileSync(new URL('../bench.ts', import.meta.url), 'utf8')
  const comment = /^\/\*\*\n([\s\S]*?)\n \*\//.exec(source)?.[1] ?? ''
  return `${comment.replace(/^ \* ?/gm, '')}\n`
}

function parse(args: string[]) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage())
    process.exit(0)
  }
  try {
    return parseArgs({ args, options: OPTIONS })
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\nsee ./hangout bench --help\n`)
    process.exit(2)
  }
}

const OPTIONS = {
  quick: { type: 'boolean', default: false },
  scenario: { type: 'string' },
  gateways: { type: 'string' },
  rooms: { type: 'string' },
  'users-per-room': { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  workers: { type: 'string' },
  adapter: { type: 'string' },
  store: { type: 'string' },
  'cpu-prof': { type: 'boolean', default: false },
  capacity: { type: 'boolean', default: false },
  'idle-memory': { type: 'boolean', default: false },
  kill: { type: 'boolean', default: false },
  sockets: { type: 'string' },
  versus: { type: 'string' },
  compare: { type: 'string' },
  window: { type: 'string' },
  pairs: { type: 'string' },
  case: { type: 'string' },
  self: { type: 'boolean', default: false },
  twin: { type: 'string' },
} as const

/** The bench's command line (see loadtest/src/bench.ts). */
export const { values } = parse(process.argv.slice(2))

export function positive(name: keyof typeof values, fallback: number): number {
  const raw = values[name]
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(raw)}`)
  return value
}

export const startedAt = performance.now()
export const say = (line: string) => process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${line}\n`)

export const stamp = () => new Date().toISOString().replaceAll(':', '-').replace(/\..*$/, '')
