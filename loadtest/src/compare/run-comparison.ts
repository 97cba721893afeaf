/**
 * `./hangout bench --compare NAME`: two systems under the same load, arms interleaved (a warm-up of
 * each, discarded, then A B B A ...), the servers pinned to one core and the load generator to
 * another, fresh rooms and a quiet core (the last arm's disconnect graces elapsed) before each
 * window. Prints every arm, then the median and range per arm and the ratio A / B on the last lines.
 */
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { GATEWAY_CHECKOUT_ENV } from '@hangout/infra/start-service'
import { DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_KEY_FILE } from '@hangout/runtime'
import { type BenchCluster, startBenchCluster } from '../bench-cluster.js'
import { formatNumber, formatTable, writeResult } from '../report.js'
import type { ServerProcess } from '../server-processes.js'
import { say, values } from '../bench/options.js'
import { type ArmResult, runArm } from './arm.js'
import { ARMS, CASES, type Case, type ComparisonName } from './comparisons.js'
import { abbaOrder, pairRatios, type Spread, spread } from './harness.js'
import { affinityOf, chooseCores, type Cores, pinServersAndGenerator } from './pinning.js'
import { HangoutSut, ReferenceSut, type Sut } from './suts.js'

export interface Options {
  windowMs: number
  pairs: number
  workers: number
  caseFilter?: string
  /**
   * A/A: the same system on both sides (two identical one-gateway clusters, `join` and
   * `broadcast`), so that every ratio it prints is the bench's own noise, 1 being none.
   */
  self?: boolean
  /**
   * With `self`: B's gateway runs from this other checkout of the repository (with its own
   * `pnpm install`), A's from this one: a change measured head to head against the code before it.
   */
  twin?: string
}

interface Systems {
  a: Sut
  b: Sut
  stop(): Promise<void>
}

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')

export async function runComparison(name: Exclude<ComparisonName, 'capacity'>, options: Options): Promise<void> {
  const cases = CASES[name].filter((c) => !options.caseFilter || c.name.includes(options.caseFilter))
  if (cases.length === 0) throw new Error(`no case of ${name} matches --case ${options.caseFilter}`)
  const cores = chooseCores()
  const loadBefore = load()
  const systems = await startSystems(name, Math.max(...cases.map((c) => c.spec.sockets)), options.self === true, options.twin)
  const reading: Reading = options.twin ? 'change' : options.self ? 'noise' : 'target'
  const labels = options.twin ? twinArms(options.twin) : options.self ? SELF_ARMS : ARMS[name]
  const lines: string[] = []
  const results: { case: string; arms: (ArmResult & { kind: string; warmup: boolean; pair: number })[] }[] = []
  try {
    const pinned = cores ? pinServersAndGenerator(cores) : []
    const everyProcess: ServerProcess[] = [...systems.a.processes(), ...systems.b.processes()]
    printSetup(name, cores, pinned, everyProcess, options, loadBefore)
    for (const c of cases) {
      const arms: (typeof results)[number]['arms'] = []
      // The processes live through every case: the first case's warm-up arms warm them for all.
      for (const slot of abbaOrder(options.pairs, c === cases[0])) {
        const sut = slot.kind === 'A' ? systems.a : systems.b
        const windowMs = slot.warmup ? Math.min(options.windowMs, 5000) : options.windowMs
        say(`${name} / ${c.name}: ${slot.warmup ? 'warm-up' : `pair ${slot.pair + 1}`} ${slot.kind} (${sut.label})...`)
        const arm = await runArm(sut, { ...c.spec, windowMs, workers: options.workers }, everyProcess)
        arms.push({ ...arm, ...slot })
        printArm(c, arm, slot.kind, slot.warmup)
      }
      results.push({ case: c.name, arms })
      lines.push(...summarize(name, c, arms, labels, reading))
    }
  } finally {
    await systems.stop()
  }
  const file = writeResult(`compare-${name}`, { name, options, cores, results })
  console.log(`\nresults: ${file}`)
  const heading = { target: '', noise: ' (A/A)', change: ' (A against the twin checkout)' }[reading]
  console.log(`\n== ${name}${heading}: A = ${labels.a}, B = ${labels.b}; CPU counted: ${labels.counted}`)
  console.log(`load average before: ${loadBefore}; after: ${load()}`)
  for (const line of lines) console.log(line)
}

/** The A/A run's two sides: the same system twice. */
const SELF_ARMS = { a: 'one gateway + Redis (A)', b: 'the same, a twin (B)', counted: 'gateway + Redis on each side' }
/** With `--twin DIR`: B is the gateway of another checkout. */
const twinArms = (twin: string) => ({
  a: 'one gateway + Redis, this checkout (A)',
  b: `the same, gateway from ${resolve(twin)} (B)`,
  counted: 'gateway + Redis on each side',
})
/** What a ratio is read against: the issue's target, 1 (A/A: the noise), or the code before (a change). */
type Reading = 'target' | 'noise' | 'change'

async function startSystems(
  name: Exclude<ComparisonName, 'capacity'>,
  sockets: number,
  self: boolean,
  twin: string | undefined,
): Promise<Systems> {
  const started: BenchCluster[] = []
  let reference: ReferenceSut | undefined
  const stop = async () => {
    await reference?.stop()
    for (const bench of started) await bench.stop()
  }
  const cluster = async (gateways: number, checkout?: string) => {
    say(`starting a ${gateways}-node cluster...`)
    const adapter = values.adapter
    if (adapter !== undefined && adapter !== 'sharded' && adapter !== 'classic')
      throw new Error('--adapter must be sharded or classic with --compare')
    const env = {
      LOG_LEVEL: 'warn',
      ...(adapter ? { ADAPTER: adapter } : {}),
      // The other checkout's gateway trusts this one's API: the same key pair, named.
      ...(checkout
        ? {
            [GATEWAY_CHECKOUT_ENV]: resolve(checkout),
            JWT_PUBLIC_KEY_FILE: DEV_PUBLIC_KEY_FILE,
            JWT_PRIVATE_KEY_FILE: DEV_PRIVATE_KEY_FILE,
          }
        : {}),
    }
    const bench = await startBenchCluster(gateways, { env, store: storeOption() })
    started.push(bench)
    return bench
  }
  if (twin !== undefined && !self) throw new Error('--twin goes with --self')
  if (twin !== undefined && !existsSync(resolve(twin, 'gateway/src/main.ts')))
    throw new Error(`--twin ${twin}: no gateway/src/main.ts there (a checkout of this repository, with pnpm install run in it)`)
  try {
    if (self) {
      if (name !== 'join' && name !== 'broadcast') throw new Error('--self is for --compare join and broadcast')
      // Tags keep the two clusters' processes apart in the tables (same names otherwise).
      const a = new HangoutSut(SELF_ARMS.a, await cluster(1), 'gateway', undefined, undefined, 'A')
      const b = new HangoutSut(SELF_ARMS.b, await cluster(1, twin), 'gateway', undefined, undefined, 'B')
      say(`registering ${sockets} users on each...`)
      await a.register(sockets)
      await b.register(sockets)
      return { a, b, stop }
    }
    if (name === 'join' || name === 'broadcast') {
      const bench = await cluster(1)
      const a = new HangoutSut(ARMS[name].a, bench, 'gateway')
      say(`registering ${sockets} users...`)
      await a.register(sockets)
      reference = await ReferenceSut.start()
      return { a, b: reference, stop }
    }
    if (name === 'affinity') {
      const bench = await cluster(3)
      const edge = (balance: 'room-hash' | 'round-robin') => () => bench.cluster.edge.reload({ gatewayBalance: balance })
      const a = new HangoutSut(ARMS[name].a, bench, 'edge', edge('room-hash'), true)
      const b = new HangoutSut(ARMS[name].b, bench, 'edge', edge('round-robin'), false)
      say(`registering ${sockets} users...`)
      await a.register(sockets)
      await b.register(sockets)
      return { a, b, stop }
    }
    const three = new HangoutSut(ARMS[name].a, await cluster(3), 'edge', undefined, true, '3-node')
    const one = new HangoutSut(ARMS[name].b, await cluster(1), 'edge', undefined, true, '1-node')
    say(`registering ${sockets} users on each cluster...`)
    await three.register(sockets)
    await one.register(sockets)
    return { a: three, b: one, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

function storeOption(): 'sqlite' | 'ferretdb-pg' {
  const store = values.store ?? 'ferretdb-pg'
  if (store !== 'sqlite' && store !== 'ferretdb-pg') throw new Error('--store must be sqlite or ferretdb-pg')
  return store
}

function printSetup(
  name: string,
  cores: Cores | undefined,
  pinned: number[],
  processes: ServerProcess[],
  options: Options,
  loadBefore: string,
): void {
  console.log(
    `\n== --compare ${name}: window ${options.windowMs / 1000} s, ${options.pairs} pairs a case, after a discarded warm-up of each arm before the first case`,
  )
  console.log(`load average: ${loadBefore}`)
  if (!cores) {
    console.log('one core only: nothing pinned, the servers and the load generator share it')
    return
  }
  console.log(
    `pinned: load generator (this process, its ${options.workers} workers) on cpu ${cores.generator}; ${pinned.length} server processes on cpu ${cores.sut}`,
  )
  console.log(
    `affinity: ${processes.map((p) => `${p.name} cpu ${p.pids.map(affinityOf).join('/')}`).join(', ')}; generator cpu ${affinityOf(process.pid)}`,
  )
}

function printArm(c: Case, arm: ArmResult, kind: string, warmup: boolean): void {
  const t = arm.tally
  const figures = c.metrics.map((m) => `${m.name} ${formatNumber(m.of(arm))} ${m.unit}`).join('; ')
  console.log(
    `${warmup ? '(warm-up) ' : ''}${kind} ${arm.label} / ${c.name}: joined ${arm.joined} in ${formatNumber(arm.joinPhaseMs)} ms; ` +
      (c.spec.measure === 'window'
        ? `events planned ${formatNumber(t.planned)}, sent ${t.sent}, acked ${t.acked}; delivered ${t.delivered} of ${t.expectedDeliveries} owed; ${arm.fanoutCount ? `chat fan-out p99 ${formatNumber(arm.fanoutP99)} ms; ` : ''}`
        : '') +
      (arm.rebalances ? `${arm.rebalances} rebalances told; ` : '') +
      `counted CPU ${formatNumber(c.spec.measure === 'join' ? arm.joinCpuMs : arm.windowCpuMs)} ms (` +
      (c.spec.measure === 'join' ? arm.joinUsage : arm.windowUsage).map((u) => `${u.name} ${formatNumber(u.cpuMs)}`).join(', ') +
      `); ${figures}${arm.problems.length ? `; INVALID: ${arm.problems.join('; ')}` : ''}${arm.shortfalls.length ? `; caveat: ${arm.shortfalls.join('; ')}` : ''}`,
  )
}

const range = (s: Spread, digits = formatNumber) => `${digits(s.median)} (${digits(s.min)}–${digits(s.max)})`

/** The case's table (median and range per arm, ratio) and its figure lines. */
function summarize(
  name: Exclude<ComparisonName, 'capacity'>,
  c: Case,
  arms: (ArmResult & { kind: string; warmup: boolean })[],
  labels: { a: string; b: string },
  reading: Reading,
): string[] {
  const measured = arms.filter((arm) => !arm.warmup)
  const of = (kind: string) => measured.filter((arm) => arm.kind === kind)
  const invalid = measured.filter((arm) => arm.problems.length > 0)
  const behind = measured.filter((arm) => arm.shortfalls.length > 0)
  const caveat = behind.length ? ` (caveats on ${behind.length} arms: generator behind or servers not quiet, see above)` : ''
  const rows = c.metrics.map((m) => {
    const a = of('A').map(m.of)
    const b = of('B').map(m.of)
    const ratio = spread(a).median / spread(b).median
    const pairs = spread(pairRatios(a, b))
    return { m, a: spread(a), b: spread(b), ratio, pairs }
  })
  console.log(`\n== ${name} / ${c.name}: median (range) of ${of('A').length} arms each`)
  console.log(
    formatTable(
      [
        'measure',
        `A: ${labels.a}`,
        `B: ${labels.b}`,
        'A / B',
        'pair ratios',
        { target: 'target', noise: 'A/A: expected', change: 'no change' }[reading],
      ],
      rows.map(({ m, a, b, ratio, pairs }) => [
        `${m.name}, ${m.unit}`,
        range(a),
        range(b),
        ratio,
        range(pairs),
        reading === 'target' ? `<= ${m.target}` : '1',
      ]),
    ),
  )
  return rows.map(({ m, a, b, ratio, pairs }) => {
    const verdict = invalid.length
      ? `INVALID (${invalid.length} arms with problems, see above)`
      : reading === 'noise'
        ? `the bench's own noise on this machine: ${formatNumber(Math.abs(ratio - 1) * 100)} % off 1 for the medians, pairs off by up to ${formatNumber(Math.max(1 - pairs.min, pairs.max - 1) * 100)} %`
        : reading === 'change'
          ? `this checkout costs ${formatNumber(ratio * 100)} % of the twin's (read it against the A/A noise of --self)`
          : ratio <= m.target
            ? 'met'
            : 'MISSED'
    const against = { target: `target <= ${m.target}`, noise: 'A/A, expected 1', change: 'against the twin checkout' }[reading]
    return `${name}, ${c.name}: ${m.name} A ${range(a)} / B ${range(b)} ${m.unit} = ${formatNumber(ratio)} (pairs ${formatNumber(pairs.min)}–${formatNumber(pairs.max)}; ${against}): ${verdict}${caveat}`
  })
}
