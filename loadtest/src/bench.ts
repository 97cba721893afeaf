/**
 * The benchmarks, on a cluster started here on free ports (`./hangout bench [--quick]`).
 *
 *   affinity (default): one 3-node cluster, the same chat + scroll load twice through the real nginx:
 *     with its consistent room hash, then re-rendered for round-robin (each room's sockets on all
 *     nodes). Prints the gateways' + Redis's CPU per delivered event and Redis publishes per
 *     broadcast of each, and, on its LAST line, the affinity ratio (affinity / round-robin; target <= 0.5).
 *     --cpu-prof adds a CPU profile breakdown of the gateways per arm.
 *   --capacity: stepped search on 3 nodes and on 1, and the latency-vs-load chart in docs/.
 *   --idle-memory: gateway RSS per idle joined socket. --kill: presence convergence after a node is killed.
 *   --scenario NAME: one of join-storm, chat-fanout, co-browse, soak through the edge.
 *
 * Knobs: --gateways N --rooms N --users-per-room N --rate R (per room) --duration S --workers N
 * --adapter sharded|classic|memory (the gateways' Socket.io adapter; memory: the single-server baseline), --store sqlite|ferretdb-pg (the chat store).
 * --versus KEY=VALUE (with --scenario): the scenario on a default cluster, then on a fresh one whose
 *   gateways have KEY=VALUE in their environment; prints both and their ratios.
 * Results go to loadtest/results/<name>-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { RedisKeys } from '@hangout/protocol'
import { DATA_DIR, ROOT } from '@hangout/infra/paths'
import { activityPlan, SCENARIO_DEFAULTS, SCENARIOS, type ScenarioName, type ScenarioShape } from '../k6/lib/plans.js'
import { type BenchCluster, startBenchCluster } from './bench-cluster.js'
import { CAPACITY_P99_MS, type CapacityStep, capacityChart, capacitySearch } from './capacity.js'
import { breakdown, cpuProfEnv, type ProfileBreakdown, readProfilesOf, sumBreakdowns } from './cpu-profile.js'
import { createRooms, registerUsers, seatsFor } from './fixture.js'
import { type MeasuredRun, measuredRun, runErrors } from './measured-run.js'
import { drive } from './driver.js'
import { summarize } from './histogram.js'
import type { Seat } from './room-users.js'
import { formatNumber, formatTable, LATENCY_HEADER, latencyRow, writeResult } from './report.js'

const { values } = parseArgs({
  options: {
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
  },
})

function positive(name: keyof typeof values, fallback: number): number {
  const raw = values[name]
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(raw)}`)
  return value
}

const startedAt = performance.now()
const say = (line: string) => process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${line}\n`)

function printRun(run: MeasuredRun): void {
  console.log(
    `\n== ${run.label}: ${run.seats} sockets in ${run.rooms} rooms (${run.roomsOnSeveralNodes} rooms on several nodes), ${(run.activeMs / 1000).toFixed(1)} s active`,
  )
  console.log(
    formatTable(LATENCY_HEADER, [
      latencyRow('join ack', run.latency.joinAck),
      latencyRow('connect + join', run.latency.connectJoin),
      latencyRow('chat fan-out', run.latency.fanout),
      latencyRow('emit → ack', run.latency.emitAck),
    ]),
  )
  const activeS = run.activeMs / 1000
  const joinCpu = new Map(run.joinUsage.map((u) => [u.name, u.cpuMs]))
  console.log(
    formatTable(
      ['process', 'join CPU ms', 'active CPU ms', 'active CPU %', 'RSS MiB'],
      run.usage.map((u) => [u.name, joinCpu.get(u.name) ?? 0, u.cpuMs, (u.cpuMs / run.activeMs) * 100, u.rssKb / 1024]),
    ),
  )
  console.log(
    formatTable(
      ['measure', 'value'],
      [
        ['join phase (all seats), s', run.joinPhaseMs / 1000],
        ['joins / gateway CPU second', run.joinsPerGatewayCpuSecond],
        ['gateway RSS growth / joined socket, KiB', run.gatewayRssKbPerSocket],
        ['deliveries / s', run.delivered / activeS],
        ['chat messages acked / s', run.chatAcked / activeS],
        ['gateway+redis CPU µs / delivery', run.gatewayRedisCpuUsPerDelivery],
        ['gateway+redis CPU µs / broadcast', (run.gatewayRedisCpuUsPerDelivery * run.delivered) / run.broadcastsAcked],
        ['deliveries / broadcast', run.delivered / run.broadcastsAcked],
        ['cluster CPU µs / delivery', run.clusterCpuUsPerDelivery],
        ['broadcasts acked / s', run.broadcastsAcked / activeS],
        ['redis publishes / broadcast', run.redisPublishesPerBroadcast],
        ['redis bytes out / broadcast', run.redisOutBytesPerBroadcast],
      ],
    ),
  )
  const errors = runErrors(run)
  if (errors.length) console.log(`errors: ${errors.join(', ')}`)
}

async function withCluster<T>(
  gateways: number,
  body: (bench: BenchCluster) => Promise<T>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<T> {
  say(`starting a ${gateways}-node cluster...`)
  const adapter = values.adapter
  if (adapter !== undefined && adapter !== 'sharded' && adapter !== 'classic' && adapter !== 'memory')
    throw new Error('--adapter must be sharded, classic or memory (one node only: it shares no rooms)')
  const store = values.store ?? 'sqlite'
  if (store !== 'sqlite' && store !== 'ferretdb-pg') throw new Error('--store must be sqlite or ferretdb-pg')
  const bench = await startBenchCluster(gateways, { env: { ...(adapter ? { ADAPTER: adapter } : {}), ...extraEnv }, store })
  try {
    return await body(bench)
  } finally {
    await bench.stop()
  }
}

async function affinity(): Promise<void> {
  const shape: ScenarioShape = values.quick
    ? { rooms: 12, usersPerRoom: 6, rate: 1, durationS: 4 }
    : {
        rooms: positive('rooms', 40),
        usersPerRoom: positive('users-per-room', 10),
        rate: positive('rate', 2),
        durationS: positive('duration', 10),
      }
  const workers = positive('workers', 2)
  // Chat (stored, then broadcast) and scroll storms (broadcast only): room broadcasts are what placement changes.
  // Chat stays light: every message is stored before its broadcast, and the local MongoDB-wire
  // server (FerretDB on SQLite) tops out at about 150 stored messages per second here.
  const plan = { ...activityPlan('chat-fanout', shape), scrollPerSec: values.quick ? 4 : 2, warmupMs: 0 }
  const profileDir = values['cpu-prof'] ? join(DATA_DIR, 'bench', 'profiles', stamp()) : undefined
  if (profileDir) mkdirSync(profileDir, { recursive: true })
  const arms = [
    { label: 'affinity (nginx consistent room hash)', balance: 'room-hash' },
    { label: 'round-robin (nginx round-robin: sockets of a room scattered)', balance: 'round-robin' },
  ] as const
  const runs: MeasuredRun[] = []
  await withCluster(
    3,
    async ({ cluster, redis }) => {
      const api = `${cluster.url}/api`
      say(`registering ${shape.rooms * shape.usersPerRoom} users...`)
      const members = await registerUsers(api, shape.rooms * shape.usersPerRoom)
      for (const arm of arms) {
        // Fresh rooms for each arm: a join reads the room's history, and the first arm's chat would
        // make the second arm's joins read (and the store serve) more.
        const roomIds = await createRooms(api, members[0] as (typeof members)[number], shape.rooms)
        // The same edge, re-rendered: with or without `hash $arg_room consistent` (websocket-only clients).
        await cluster.edge.reload({ gatewayBalance: arm.balance })
        say(`running ${arm.label}...`)
        // Room-major connection order: with round-robin, consecutive sockets of a room go to
        // different nodes (user-major order would alias: room i -> node i mod 3 when 3 divides the room count).
        const seats = byRoom(seatsFor(members, roomIds, () => cluster.url))
        const run = await measuredRun(arm.label, cluster, redis, seats, plan, shape.durationS * 1000, workers)
        printRun(run)
        runs.push(run)
        // The hook writes each gateway's profile on SIGWINCH (and samples on).
        if (profileDir) for (const pid of run.gatewayPids) process.kill(pid, 'SIGWINCH')
      }
    },
    {
      // Scroll coalescing off: a room served by one node would coalesce its scroll updates (fewer
      // deliveries), a scattered one would not; placement alone is compared.
      SCROLL_INTERVAL_MS: '0',
      ...(profileDir ? cpuProfEnv(profileDir) : {}),
    },
  )
  const profiles = profileDir ? runs.map((run) => profileOf(profileDir, run)) : []
  for (const [i, profile] of profiles.entries()) printProfile(runs[i] as MeasuredRun, profile)
  if (profileDir) console.log(`\nCPU profiles (open in Chrome DevTools): ${profileDir}`)
  const [home, scattered] = runs as [MeasuredRun, MeasuredRun]
  const ratio = home.gatewayRedisCpuUsPerDelivery / scattered.gatewayRedisCpuUsPerDelivery
  const file = writeResult('affinity', { shape, plan, workers, ratio, runs, profileDir, profiles })
  console.log(`\nresults: ${file}`)
  const problems = [
    ...runs.flatMap((run) => runErrors(run).map((error) => `${run.label}: ${error}`)),
    ...(home.roomsOnSeveralNodes > 0 ? [`${home.roomsOnSeveralNodes} rooms were split over nodes under the room hash`] : []),
    ...(scattered.roomsOnSeveralNodes < scattered.rooms
      ? [`round-robin left ${scattered.rooms - scattered.roomsOnSeveralNodes} rooms on one node`]
      : []),
  ]
  for (const problem of problems) console.log(`invalid: ${problem}`)
  if (problems.length) process.exitCode = 1
  console.log(
    problems.length
      ? `affinity ratio: invalid (${problems.length} problems above)`
      : `affinity ratio: ${formatNumber(ratio)} (gateway+Redis CPU per delivered event, affinity / round-robin = ${formatNumber(home.gatewayRedisCpuUsPerDelivery)} / ${formatNumber(scattered.gatewayRedisCpuUsPerDelivery)} µs; target <= 0.5)`,
  )
}

/** The seats sorted by room, keeping each room's order. */
function byRoom(seats: Seat[]): Seat[] {
  const rooms = new Map<string, Seat[]>()
  for (const seat of seats) rooms.set(seat.roomId, [...(rooms.get(seat.roomId) ?? []), seat])
  return [...rooms.values()].flat()
}

const stamp = () => new Date().toISOString().replaceAll(':', '-').replace(/\..*$/, '')

/** The gateways' main threads over the run's active window and its join phase. */
function profileOf(dir: string, run: MeasuredRun): { active: ProfileBreakdown; join: ProfileBreakdown; missing: number[] } {
  const found = run.gatewayPids.map((pid) => ({ pid, profiles: readProfilesOf(dir, pid) }))
  const present = found.flatMap((f) => f.profiles)
  return {
    active: sumBreakdowns(present.map((p) => breakdown(p, ...run.activeWindowUs))),
    join: sumBreakdowns(present.map((p) => breakdown(p, ...run.joinWindowUs))),
    missing: found.filter((f) => f.profiles.length === 0).map((f) => f.pid),
  }
}

function printProfile(run: MeasuredRun, profile: ReturnType<typeof profileOf>): void {
  const delivered = run.delivered
  console.log(`\n== CPU profile, gateways' main threads, ${run.label}`)
  if (profile.missing.length) console.log(`(no profile from gateway pids ${profile.missing.join(', ')})`)
  console.log(
    `active window: ${formatNumber(profile.active.busyMs)} ms busy for ${delivered} deliveries; join phase: ${formatNumber(profile.join.busyMs)} ms for ${run.counts.joined} joins`,
  )
  console.log(
    formatTable(
      ['part (active window)', 'ms', 'µs / delivery', 'share %'],
      profile.active.parts.map(([part, ms]) => [part, ms, (ms * 1000) / delivered, (ms / profile.active.busyMs) * 100]),
    ),
  )
  console.log(formatTable(['busiest functions (self, active window)', 'ms'], profile.active.topFunctions))
  console.log(
    formatTable(
      ['part (join phase)', 'ms', 'µs / join'],
      profile.join.parts.slice(0, 10).map(([part, ms]) => [part, ms, (ms * 1000) / run.counts.joined]),
    ),
  )
  console.log(formatTable(['busiest functions (self, join phase)', 'ms'], profile.join.topFunctions))
}

async function scenario(name: ScenarioName): Promise<void> {
  const versus = values.versus
  if (versus === undefined) {
    await scenarioOnce(name)
    return
  }
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(versus)
  if (!match) throw new Error(`--versus must be KEY=VALUE (a gateway variable), got ${JSON.stringify(versus)}`)
  const base = await scenarioOnce(name)
  say(`again, with ${versus}...`)
  const other = await scenarioOnce(name, { [match[1] as string]: match[2] as string })
  const ratio = (pick: (run: MeasuredRun) => number) => formatNumber(pick(other) / pick(base))
  console.log(`\n== ${name}: defaults against ${versus} (ratio: ${versus} / defaults, same machine, one invocation)`)
  console.log(
    formatTable(
      ['measure', 'defaults', versus, 'ratio'],
      [
        [
          'joins / gateway CPU second',
          base.joinsPerGatewayCpuSecond,
          other.joinsPerGatewayCpuSecond,
          ratio((r) => r.joinsPerGatewayCpuSecond),
        ],
        [
          'gateway+redis CPU µs / delivery',
          base.gatewayRedisCpuUsPerDelivery,
          other.gatewayRedisCpuUsPerDelivery,
          ratio((r) => r.gatewayRedisCpuUsPerDelivery),
        ],
        ['join ack p50, ms', base.latency.joinAck.p50, other.latency.joinAck.p50, ratio((r) => r.latency.joinAck.p50)],
        ['fan-out p99, ms', base.latency.fanout.p99, other.latency.fanout.p99, ratio((r) => r.latency.fanout.p99)],
      ],
    ),
  )
}

/** One scenario on its own cluster; answers its (warm, for a join storm) run. */
async function scenarioOnce(name: ScenarioName, gatewayEnv: NodeJS.ProcessEnv = {}): Promise<MeasuredRun> {
  const defaults = SCENARIO_DEFAULTS[name]
  const shape: ScenarioShape = {
    rooms: positive('rooms', defaults.rooms),
    usersPerRoom: positive('users-per-room', defaults.usersPerRoom),
    rate: positive('rate', defaults.rate),
    durationS: positive('duration', Math.min(defaults.durationS, 60)),
  }
  const profileDir = values['cpu-prof'] ? join(DATA_DIR, 'bench', 'profiles', stamp()) : undefined
  if (profileDir) mkdirSync(profileDir, { recursive: true })
  const { cold, run } = await withCluster(
    positive('gateways', 3),
    async ({ cluster, redis }) => {
      const api = `${cluster.url}/api`
      say(`registering ${shape.rooms * shape.usersPerRoom} users...`)
      const members = await registerUsers(api, shape.rooms * shape.usersPerRoom)
      const owner = members[0] as (typeof members)[number]
      const runIn = async (label: string) => {
        const run = await measuredRun(
          label,
          cluster,
          redis,
          seatsFor(members, await createRooms(api, owner, shape.rooms), () => cluster.url),
          activityPlan(name, shape),
          shape.durationS * 1000,
          positive('workers', 2),
        )
        // The hook writes each gateway's profile on SIGWINCH (and samples on).
        if (profileDir) for (const pid of run.gatewayPids) process.kill(pid, 'SIGWINCH')
        return run
      }
      // A join storm is run twice, into rooms of its own each time: the first meets gateways whose
      // join path has never run (cold code, lazily opened pools), the second the same processes warm.
      const cold = name === 'join-storm' ? await runIn(`${name}, cold (the gateways' first joins)`) : undefined
      if (cold) printRun(cold)
      const run = await runIn(cold ? `${name}, warm (a second storm, same processes)` : name)
      printRun(run)
      if (cold)
        console.log(
          `\njoins per gateway CPU second: cold ${formatNumber(cold.joinsPerGatewayCpuSecond)}, warm ${formatNumber(run.joinsPerGatewayCpuSecond)} (target 1,000)`,
        )
      console.log(`\nresults: ${writeResult(name, { shape, gatewayEnv, cold, run, profileDir })}`)
      if (runErrors(run).length || (cold && runErrors(cold).length)) process.exitCode = 1
      return { cold, run }
    },
    { ...gatewayEnv, ...(profileDir ? cpuProfEnv(profileDir) : {}) },
  )
  if (profileDir) {
    for (const measured of cold ? [cold, run] : [run]) printProfile(measured, profileOf(profileDir, measured))
    console.log(`\nCPU profiles (open in Chrome DevTools): ${profileDir}`)
  }
  return run
}

/** `--capacity`: the stepped search on 3 nodes and on 1, then the latency-vs-load chart (docs/). */
async function capacity(): Promise<void> {
  const rooms = positive('rooms', 20)
  const usersPerRoom = positive('users-per-room', 10)
  const durationMs = positive('duration', 5) * 1000
  const workers = positive('workers', 2)
  const scrollSteps = values.quick ? [1, 4] : [1, 2, 4, 8, 12, 16, 25]
  const clusterSizes = values.gateways ? [positive('gateways', 3)] : [3, 1]
  const results: { gateways: number; steps: CapacityStep[] }[] = []
  for (const gateways of clusterSizes) {
    await withCluster(gateways, async (bench) => {
      const api = `${bench.cluster.url}/api`
      say(`registering ${rooms * usersPerRoom} users...`)
      const members = await registerUsers(api, rooms * usersPerRoom)
      const steps = await capacitySearch(bench, members, rooms, scrollSteps, durationMs, workers, say)
      results.push({ gateways, steps })
    })
  }
  for (const { gateways, steps } of results) {
    console.log(`\n== capacity, ${gateways} gateway node(s): ${rooms} rooms × ${usersPerRoom} users, 1 chat/s per room + scroll`)
    console.log(
      formatTable(
        [
          'scroll/s/user',
          'sockets',
          'deliveries/s',
          'broadcasts/s',
          'fan-out p50',
          'fan-out p99',
          'ack p99',
          'gateways CPU %',
          'deliveries / gateway CPU s',
          'machine busy %',
          'result',
        ],
        steps.map((s) => [
          s.scrollPerUser,
          s.sockets,
          s.deliveriesPerSec,
          s.broadcastsPerSec,
          s.fanoutP50,
          s.fanoutP99,
          s.ackP99,
          s.gatewayCpuPercent,
          s.deliveriesPerGatewayCpuSecond,
          s.machineBusyPercent,
          s.passed ? 'ok' : s.errors.join('; ') || `p99 >= ${CAPACITY_P99_MS} ms`,
        ]),
      ),
    )
    const firstFailure = steps.findIndex((s) => !s.passed)
    const best = (firstFailure === -1 ? steps : steps.slice(0, firstFailure)).at(-1)
    console.log(
      best
        ? `capacity (${gateways} node(s)): ${formatNumber(best.deliveriesPerSec)} deliveries/s with ${best.sockets} sockets, fan-out p99 ${formatNumber(best.fanoutP99)} ms`
        : `capacity (${gateways} node(s)): no step met the bar`,
    )
  }
  const chart = capacityChart(results, rooms, usersPerRoom)
  const chartFile = join(ROOT, 'docs', 'benchmarks-latency-vs-load.svg')
  mkdirSync(dirname(chartFile), { recursive: true })
  writeFileSync(chartFile, chart)
  console.log(`\nchart: ${chartFile}`)
  console.log(`results: ${writeResult('capacity', { rooms, usersPerRoom, durationMs, workers, results })}`)
}

/**
 * `--idle-memory`: one gateway; a warm-up of 200 sockets, then N idle joined sockets (--sockets,
 * default 1500) held for --duration s (default 10): gateway RSS growth per socket from before the join
 * to the end of the idle hold. Sockets share 100 registered users (a user may hold many sockets).
 */
async function idleMemory(): Promise<void> {
  const sockets = positive('sockets', 1500)
  const holdMs = positive('duration', 10) * 1000
  const idle = { chatPerSec: 0, scrollPerSec: 0, clickPerSec: 0, pagePerSec: 0, warmupMs: 0 }
  await withCluster(1, async ({ cluster, redis }) => {
    const api = `${cluster.url}/api`
    const members = await registerUsers(api, 100)
    const roomIds = await createRooms(api, members[0] as (typeof members)[number], 100)
    const seats = (n: number): Seat[] =>
      Array.from({ length: n }, (_, i) => {
        const member = members[i % members.length] as (typeof members)[number]
        return {
          user: `${member.userId}.${i}`,
          token: member.token,
          roomId: roomIds[i % roomIds.length] as string,
          url: cluster.url,
        }
      })
    say('warm-up: 200 sockets...')
    await measuredRun('warm-up', cluster, redis, seats(200), idle, 1000, positive('workers', 2))
    say(`${sockets} idle sockets for ${holdMs / 1000} s...`)
    const run = await measuredRun(`${sockets} idle sockets`, cluster, redis, seats(sockets), idle, holdMs, positive('workers', 2))
    printRun(run)
    console.log(
      `\nidle memory: ${formatNumber(run.gatewayRssKbPerSocketAtEnd)} KiB of gateway RSS per joined idle socket after ${holdMs / 1000} s idle (${formatNumber(run.gatewayRssKbPerSocket)} KiB right after the join phase); target <= 20 KB`,
    )
    console.log(`results: ${writeResult('idle-memory', { sockets, holdMs, run })}`)
    if (runErrors(run).length) process.exitCode = 1
  })
}

/**
 * `--kill`: 3 nodes through the edge under the chat load; halfway through, node 2 is killed
 * (SIGKILL). Presence has converged when no room's presence hash names node 2 any more (its users
 * reaped by a surviving node); prints how long that took after the kill.
 */
async function presenceAfterKill(): Promise<void> {
  const shape = { rooms: positive('rooms', 12), usersPerRoom: positive('users-per-room', 6), rate: positive('rate', 2) }
  const durationMs = positive('duration', 16) * 1000
  const plan = { ...activityPlan('chat-fanout', shape), scrollPerSec: 2, warmupMs: 0 }
  await withCluster(3, async ({ cluster, redis }) => {
    const api = `${cluster.url}/api`
    const members = await registerUsers(api, shape.rooms * shape.usersPerRoom)
    const roomIds = await createRooms(api, members[0] as (typeof members)[number], shape.rooms)
    const victim = cluster.gateway(2)
    const deadFields = async () => {
      let count = 0
      for (const roomId of roomIds) {
        const fields = await redis.hkeys(RedisKeys.presence(roomId))
        count += fields.filter((field) => field.endsWith(`|${victim.nodeId}`)).length
      }
      return count
    }
    let killedAt = 0
    let before = 0
    let convergedMs = Number.NaN
    let watching: Promise<void> = Promise.resolve()
    say(`chat load on 3 nodes; killing ${victim.nodeId} after ${durationMs / 2000} s...`)
    const result = await drive(
      seatsFor(members, roomIds, () => cluster.url),
      plan,
      durationMs,
      positive('workers', 2),
      {
        onActive: () => {
          setTimeout(() => {
            watching = (async () => {
              before = await deadFields()
              killedAt = performance.now()
              await cluster.killGateway(2)
              while (performance.now() - killedAt < 30_000) {
                if ((await deadFields()) === 0) {
                  convergedMs = performance.now() - killedAt
                  return
                }
                await new Promise((resolve) => setTimeout(resolve, 50))
              }
            })()
          }, durationMs / 2)
        },
      },
    )
    await watching
    const fanout = summarize(result.fanout)
    console.log(
      `\n${victim.nodeId} killed with ${before} presence entries on it (${shape.rooms} rooms × ${shape.usersPerRoom} users, ${formatNumber(plan.chatPerSec * shape.usersPerRoom)} chat/s + ${plan.scrollPerSec * shape.usersPerRoom} scroll/s per room)`,
    )
    console.log(
      `sockets cut: ${result.counts.unexpectedDisconnects}; acks lost or failed: ${JSON.stringify(result.counts.ackErrors)}`,
    )
    console.log(`chat fan-out over the run: p50 ${formatNumber(fanout.p50)} ms, p99 ${formatNumber(fanout.p99)} ms`)
    console.log(
      Number.isFinite(convergedMs)
        ? `presence converged ${formatNumber(convergedMs)} ms after the kill (no entry of ${victim.nodeId} left in any room)`
        : 'presence did NOT converge within 30 s of the kill',
    )
    console.log(
      `results: ${writeResult('presence-after-kill', { shape, plan, before, convergedMs, counts: result.counts, fanout })}`,
    )
    if (!Number.isFinite(convergedMs)) process.exitCode = 1
  })
}

const chosen = values.scenario
if (chosen !== undefined && !(SCENARIOS as readonly string[]).includes(chosen)) {
  console.error(`--scenario must be one of ${SCENARIOS.join(', ')}`)
  process.exit(2)
}
const mode = chosen
  ? () => scenario(chosen as ScenarioName)
  : values.capacity
    ? capacity
    : values['idle-memory']
      ? idleMemory
      : values.kill
        ? presenceAfterKill
        : affinity
await mode().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`)
  process.exitCode = 1
})
