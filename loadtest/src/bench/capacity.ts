import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ROOT } from '@hangout/infra/paths'
import { CAPACITY_P99_MS, type CapacityStep, capacityChart, capacitySearch } from '../capacity.js'
import { registerUsers } from '../fixture.js'
import { formatNumber, formatTable, writeResult } from '../report.js'
import { type Cores, pinServersAndGenerator } from '../compare/pinning.js'
import { positive, say, values } from './options.js'
import { withCluster } from './with-cluster.js'

/**
 * `--capacity`: the stepped search on 3 nodes and on 1, then the latency-vs-load chart (docs/).
 * `--compare capacity` passes `pinned`: the servers on one core, the load generator on the other.
 */
export async function capacity(pinned?: { cores: Cores | undefined; windowMs: number }): Promise<void> {
  const rooms = positive('rooms', 20)
  const usersPerRoom = positive('users-per-room', 10)
  const durationMs = pinned?.windowMs ?? positive('duration', 5) * 1000
  const workers = positive('workers', 2)
  // Pinned to one core, fewer and wider steps keep the run within about 4 minutes at 15 s windows.
  const scrollSteps = values.quick ? [1, 4] : pinned ? [2, 4, 8, 16, 25] : [1, 2, 4, 8, 12, 16, 25]
  const clusterSizes = values.gateways ? [positive('gateways', 3)] : [3, 1]
  const results: { gateways: number; steps: CapacityStep[] }[] = []
  for (const gateways of clusterSizes) {
    await withCluster(gateways, async (bench) => {
      const api = `${bench.cluster.url}/api`
      say(`registering ${rooms * usersPerRoom} users...`)
      const members = await registerUsers(api, rooms * usersPerRoom)
      if (pinned?.cores) {
        const servers = pinServersAndGenerator(pinned.cores)
        say(
          `pinned ${servers.length} server processes on cpu ${pinned.cores.sut}, the load generator on cpu ${pinned.cores.generator}`,
        )
      } else if (pinned) say('one core only: nothing pinned')
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
        ? `capacity (${gateways} node(s)): ${formatNumber(best.deliveriesPerSec)} deliveries/s with ${best.sockets} sockets, fan-out p99 ${formatNumber(best.fanoutP99)} ms, ${formatNumber(best.deliveriesPerGatewayCpuSecond)} deliveries per gateway CPU second`
        : `capacity (${gateways} node(s)): no step met the bar`,
    )
  }
  // The documented chart comes from `--capacity`; a pinned run leaves it alone.
  if (!pinned) {
    const chart = capacityChart(results, rooms, usersPerRoom)
    const chartFile = join(ROOT, 'docs', 'benchmarks-latency-vs-load.svg')
    mkdirSync(dirname(chartFile), { recursive: true })
    writeFileSync(chartFile, chart)
    console.log(`\nchart: ${chartFile}`)
  }
  console.log(`results: ${writeResult('capacity', { rooms, usersPerRoom, durationMs, workers, results })}`)
}
