/**
 * Reads V8 CPU profiles (`node --cpu-prof`) of the gateways and says where their main thread spent
 * a window: samples by the package that was running (a native frame, such as a socket write, is
 * billed to the nearest JavaScript frame's package; V8 builtins such as JSON.stringify do not show
 * as frames at all and land in their caller), and the functions with the most self time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

export interface CpuProfile {
  nodes: ProfileNode[]
  /** Microseconds on the machine's monotonic clock (process.hrtime's). */
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileBreakdown {
  /** Main-thread busy time in the window (not idle), ms. */
  busyMs: number
  /** Busy ms by part, largest first. */
  parts: [string, number][]
  /** Self ms of the busiest functions: "name (package)". */
  topFunctions: [string, number][]
}

/** The package a script URL belongs to: node_modules name, "node:<module>", or our workspace package. */
export function packageOf(url: string): string {
  if (url === '') return ''
  if (url.startsWith('node:')) {
    const module = url.slice('node:'.length).replace(/^internal\//, '')
    if (/^(net|stream_base_commons|streams\/|stream|tcp_wrap|dgram|tls)/.test(module)) return 'node net/streams'
    if (/^(modules|bootstrap|vm|process\/execution)/.test(module)) return 'node module loading'
    if (/^timers/.test(module)) return 'node timers'
    if (/^(crypto|webstreams)/.test(module)) return 'node crypto'
    return 'node other'
  }
  const inModules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (inModules?.[1]) return inModules[1]
  const workspace = /\/(gateway|protocol|infra|api)\/src\//.exec(url)
  if (workspace?.[1]) return `${workspace[1]}/src`
  return 'other'
}

/** The part a sample is billed to, from its stack (leaf first). */
function partOf(stack: CallFrame[]): string {
  const leaf = stack[0]
  if (!leaf) return 'other'
  if (leaf.functionName === '(garbage collector)') return 'GC (main thread)'
  if (leaf.functionName === '(program)') return 'native, outside JS (program)'
  for (const frame of stack) {
    const name = packageOf(frame.url)
    if (name) return name
  }
  return 'other'
}

/** Breakdown of the samples between `fromUs` and `toUs` (monotonic µs; omit for the whole profile). */
export function breakdown(profile: CpuProfile, fromUs = -Infinity, toUs = Infinity, top = 12): ProfileBreakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const stackCache = new Map<number, CallFrame[]>()
  const stackOf = (id: number): CallFrame[] => {
    const cached = stackCache.get(id)
    if (cached) return cached
    const stack: CallFrame[] = []
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)
      if (node && node.callFrame.functionName !== '(root)') stack.push(node.callFrame)
    }
    stackCache.set(id, stack)
    return stack
  }
  const parts = new Map<string, number>()
  const functions = new Map<string, number>()
  let busyUs = 0
  let t = profile.startTime
  for (const [i, id] of profile.samples.entries()) {
    const delta = profile.timeDeltas[i] ?? 0
    t += delta
    // A sample stands for the interval up to the next one.
    const span = profile.timeDeltas[i + 1] ?? 0
    if (t < fromUs || t > toUs) continue
    const stack = stackOf(id)
    const leaf = stack[0]
    if (!leaf || leaf.functionName === '(idle)') continue
    busyUs += span
    const part = partOf(stack)
    parts.set(part, (parts.get(part) ?? 0) + span)
    const fn = `${leaf.functionName || '(anonymous)'} (${packageOf(leaf.url) || 'native'})`
    functions.set(fn, (functions.get(fn) ?? 0) + span)
  }
  const sorted = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, us / 1000] as [string, number])
  return { busyMs: busyUs / 1000, parts: sorted(parts), topFunctions: sorted(functions).slice(0, top) }
}

/** Sums breakdowns (several gateways). */
export function sumBreakdowns(all: ProfileBreakdown[], top = 12): ProfileBreakdown {
  const add = (pick: (b: ProfileBreakdown) => [string, number][]) => {
    const total = new Map<string, number>()
    for (const b of all) for (const [k, ms] of pick(b)) total.set(k, (total.get(k) ?? 0) + ms)
    return [...total].sort((a, b) => b[1] - a[1])
  }
  return {
    busyMs: all.reduce((sum, b) => sum + b.busyMs, 0),
    parts: add((b) => b.parts),
    topFunctions: add((b) => b.topFunctions).slice(0, top),
  }
}

/** Where the preloaded hook (cpu-prof-hook.mjs) is, and the environment that turns it on for the gateways. */
export const CPU_PROF_HOOK = fileURLToPath(new URL('./cpu-prof-hook.mjs', import.meta.url))

export function cpuProfEnv(dir: string): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: `--import ${CPU_PROF_HOOK}`, HANGOUT_CPU_PROF_DIR: dir }
}

/** The profiles a process with `pid` wrote into `dir` (CPU.<pid>.<n>.cpuprofile). */
export function readProfilesOf(dir: string, pid: number): CpuProfile[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => name.startsWith(`CPU.${pid}.`) && name.endsWith('.cpuprofile'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile)
}

/** Monotonic microseconds, the clock CPU profiles are stamped with. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)
