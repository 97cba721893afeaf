/** CPU time and memory of processes, read from Linux's /proc (proc(5)). */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcStat {
  pid: number
  comm: string
  state: string
  ppid: number
  /** User and system CPU time in clock ticks (fields 14 and 15). */
  utimeTicks: number
  stimeTicks: number
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open === -1 || close < open) throw new Error(`not a /proc stat line: ${JSON.stringify(text.slice(0, 80))}`)
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ')
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const field = (n: number) => {
    const value = Number(rest[n - 3])
    if (!Number.isFinite(value)) throw new Error(`/proc stat field ${n} is not a number`)
    return value
  }
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
  }
}

export interface ProcMemory {
  /** Resident set size and its peak, in KiB. */
  rssKb: number
  peakRssKb: number
}

/** Parses the VmRSS and VmHWM lines of /proc/<pid>/status. */
export function parseStatus(text: string): ProcMemory {
  const kb = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)
    if (!match) throw new Error(`/proc status has no ${name} line`)
    return Number(match[1])
  }
  return { rssKb: kb('VmRSS'), peakRssKb: kb('VmHWM') }
}

let ticksPerSecond: number | undefined

/** The kernel's USER_HZ (`getconf CLK_TCK`), almost always 100. */
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
  return ticksPerSecond
}

export interface ProcSample {
  pid: number
  /** User + system CPU time, milliseconds. */
  cpuMs: number
  rssKb: number
  peakRssKb: number
}

/** One process now; undefined when it has gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  // Before the read: the first call spawns getconf, and a fork costs a large sampler (one that samples
  // itself, for example) tens of ms of CPU, which must not fall between this sample and the next.
  const ticks = clockTicksPerSecond()
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    const memory = parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return { pid, cpuMs: ((stat.utimeTicks + stat.stimeTicks) * 1000) / ticks, ...memory }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return undefined
    throw err
  }
}

/** Every live process with its parent and command line. */
export function listProcesses(): { pid: number; ppid: number; cmdline: string }[] {
  const found: { pid: number; ppid: number; cmdline: string }[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const { ppid } = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'))
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      found.push({ pid: Number(name), ppid, cmdline })
    } catch {
      // The process ended between readdir and read: it is simply not listed.
    }
  }
  return found
}

/** The descendants of `root` (children, grandchildren...), not `root` itself. */
export function descendants(root: number, processes = listProcesses()): { pid: number; ppid: number; cmdline: string }[] {
  const byParent = new Map<number, typeof processes>()
  for (const p of processes) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p])
  const out: typeof processes = []
  const queue = [root]
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift() as number) ?? []) {
      out.push(child)
      queue.push(child.pid)
    }
  }
  return out
}
