import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from '@hangout/infra/paths'
import { activityPlan, SCENARIO_DEFAULTS, type ScenarioName, type ScenarioShape } from '../../k6/lib/plans.js'
import { chatReadback } from '../chat-readback.js'
import { cpuProfEnv } from '../cpu-profile.js'
import { createRooms, registerUsers, seatsFor } from '../fixture.js'
import { type MeasuredRun, measuredRun, runErrors } from '../measured-run.js'
import { formatNumber, formatTable, writeResult } from '../report.js'
import { positive, say, stamp, values } from './options.js'
import { printRun } from './print-run.js'
import { printProfile, profileOf } from './profile.js'
import { withCluster } from './with-cluster.js'

/** `--scenario NAME` (and `--versus KEY=VALUE`): one k6 scenario through the edge. */
export async function scenario(name: ScenarioName): Promise<void> {
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
      // Chat: read the store back. Every acked message is stored, so stored >= acked; the rest had
      // their ack fail or time out. No clientId twice, no seq twice in a room.
      const readback = run.chatAcked ? await chatReadback(cluster.env.MONGO_URL ?? '') : undefined
      if (readback) {
        console.log(
          `\nread back: ${readback.stored} messages stored (${run.chatAcked} acked), ${readback.stored - readback.distinct} stored twice, ${readback.roomsWithRepeatedSeq} rooms with a repeated seq`,
        )
        if (readback.stored < run.chatAcked || readback.stored !== readback.distinct || readback.roomsWithRepeatedSeq)
          process.exitCode = 1
      }
      console.log(`\nresults: ${writeResult(name, { shape, gatewayEnv, cold, run, profileDir, readback })}`)
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
