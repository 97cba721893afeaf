/**
 * The nginx edge reloaded and restarted under chat load: a reload (SIGHUP) drops no socket; a
 * restart drops them all, they come back through the new edge within seconds, nothing acked is
 * lost, nothing is delivered twice.
 */
import { join } from 'node:path'
import { Edge } from '@hangout/infra/nginx'
import { DATA_DIR, ROOT } from '@hangout/infra/paths'
import { ChatLoad } from '../support/chat-load.js'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'

let t: ClusterUnderTest
let load: ChatLoad
let restarted: Edge | undefined

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 2 })
  load = await ChatLoad.start(t.cluster.url, 6, 3)
  load.run(500)
}, 90_000)

afterAll(async () => {
  load?.close()
  await restarted?.stop()
  await t?.stop()
})

const outages = () => load.members.reduce((sum, m) => sum + m.outages.length + (m.disconnectedAt ? 1 : 0), 0)

test('nginx reload under load: no socket dropped, chat goes on', async () => {
  await new Promise((r) => setTimeout(r, 1000))
  const dropsBefore = outages()
  const ackedBefore = load.ackedCount
  for (let i = 0; i < 3; i++) await t.cluster.reloadNginx()
  await new Promise((r) => setTimeout(r, 1500))
  expect(outages()).toBe(dropsBefore)
  expect(load.ackedCount).toBeGreaterThan(ackedBefore)
  await load.stop()
  expect(await load.problems(t.db)).toEqual([])
  expect(load.duplicates).toBe(0)
  report('nginx reloaded 3 times under load', {
    'sockets dropped': outages() - dropsBefore,
    acked: load.ackedCount - ackedBefore,
  })
  load.run(500)
})

test('nginx stopped and started again under load: everyone back within seconds, nothing lost', async () => {
  const edge = t.cluster.edge
  // SIGTERM: nginx's fast shutdown, workers close every connection (SIGKILL of the master alone
  // leaves its workers serving).
  edge.process.signal('SIGTERM')
  await edge.process.exited
  const downAt = Date.now()
  await timeUntil('every member saw the edge go', () => load.members.every((m) => !m.joined), 10_000)
  restarted = await Edge.start({
    port: t.cluster.edgePort,
    apiServers: [new URL(t.cluster.apiUrl).host],
    gatewayServers: t.cluster.gateways.map((g) => ({ upstream: g.upstream })),
    webRoot: join(ROOT, 'web/dist'),
    dir: join(DATA_DIR, 'run', `edge-${t.cluster.edgePort}`),
    logFile: join(t.logDir, 'nginx-restarted.log'),
  })
  const upAt = Date.now()
  const back = await timeUntil('every member rejoined through the new edge', () => load.everyoneJoined(), 15_000)
  await new Promise((r) => setTimeout(r, 1000))
  await load.stop()
  expect(await load.problems(t.db)).toEqual([])
  expect(load.duplicates).toBe(0)
  report('nginx stopped (SIGTERM) and started again', {
    'edge down (ms)': upAt - downAt,
    'all rejoined after edge up (ms)': back,
    longestOutageMs: load.longestOutage,
  })
})
