/**
 * A gateway drained with SIGTERM under chat load (3 gateways, the edge untouched, as a rolling
 * deploy stops one process): its clients are told to `rebalance`, move through the edge to the
 * next node on the ring, and nothing acknowledged is lost; nobody flaps (one move per member of
 * the drained node, none for the others); presence converges.
 */
import { report, timeUntil } from '../support/report.js'
import { underLoad } from '../support/under-load.js'

const suite = underLoad({ cluster: { gateways: 3 }, rooms: 6, usersPerRoom: 3 })

test('SIGTERM to the busiest gateway under load: its members move once, nothing acked lost, no duplicates, presence converges', async () => {
  await new Promise((r) => setTimeout(r, 1500))
  const counts = new Map<string, number>()
  for (const m of suite.load.members) if (m.node) counts.set(m.node, (counts.get(m.node) ?? 0) + 1)
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'node-1'
  const node = suite.t.cluster.gateways.find((g) => g.nodeId === busiest) ?? suite.t.cluster.gateway(1)
  const moving = suite.load.members.filter((m) => m.node === node.nodeId)
  const staying = suite.load.members.filter((m) => m.node !== node.nodeId)
  const outagesBefore = new Map(suite.load.members.map((m) => [m, m.outages.length]))
  const started = Date.now()
  node.process?.signal('SIGTERM')
  const exitCode = await node.process?.exited
  const exitedMs = Date.now() - started
  const rejoinedMs = await timeUntil(
    'every member rejoined',
    () => suite.load.everyoneJoined() && moving.every((m) => m.node !== node.nodeId),
    15_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${suite.load.describeStragglers()}`)
  })
  const live = suite.t.cluster.gateways.filter((g) => g.running).map((g) => g.nodeId)
  const presenceMs = await timeUntil('presence converged', () => suite.load.presenceConverged(suite.redis, live), 10_000)
  await new Promise((r) => setTimeout(r, 1000))
  await suite.load.stop()
  const moves = (m: (typeof suite.load.members)[number]) => m.outages.length - (outagesBefore.get(m) ?? 0)
  const measured = {
    drained: moving.length,
    exitCode: String(exitCode),
    exitedMs,
    everyoneRejoinedMs: rejoinedMs,
    presenceConvergedMs: presenceMs,
    longestOutageMs: suite.load.longestOutage,
    movesOfDrainedMembers: moving.map(moves).join(' '),
    movesOfOthers: staying.map(moves).reduce((a, b) => a + b, 0),
    acked: suite.load.ackedCount,
    failures: JSON.stringify(Object.fromEntries(suite.load.failures)),
  }
  report('gateway drained (SIGTERM)', measured)
  expect(exitCode).toBe(0)
  expect(await suite.load.problems(suite.t.db)).toEqual([])
  expect(suite.load.duplicates).toBe(0)
  expect(moving.every((m) => moves(m) === 1)).toBe(true)
  expect(measured.movesOfOthers).toBe(0)
}, 90_000)
