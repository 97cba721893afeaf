import { type MeasuredRun, runErrors } from '../measured-run.js'
import { formatTable, LATENCY_HEADER, latencyRow } from '../report.js'

/** Pairs of seats in the same room: the user_joined frames of one-at-a-time joins. */
function pairsOf(run: MeasuredRun): number {
  const perRoom = run.seats / run.rooms
  return (run.rooms * perRoom * (perRoom - 1)) / 2
}

/** One measured run's latency, CPU and per-delivery table. */
export function printRun(run: MeasuredRun): void {
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
        ['user_joined frames in the join phase', run.counts.joinedFramesAtJoin],
        ['  ... per N·(N−1)/2 (every later joiner to every earlier one)', run.counts.joinedFramesAtJoin / pairsOf(run)],
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
