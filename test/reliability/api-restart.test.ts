/**
 * The API restarted under chat load: the edge's `api` upstream points at an API process this suite
 * owns, which is stopped (SIGTERM) and started again on the same port while 6 rooms chat and a
 * client polls REST. Chat does not depend on the API: nothing acked lost, nobody disconnected;
 * REST answers again (a real login) within a stated time of the new process starting.
 */
import { join } from 'node:path'
import { startApi } from '@hangout/testkit/launch'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { register } from '@hangout/testkit/clients'
import { ChatLoad } from '../support/chat-load.js'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report, timeUntil } from '../support/report.js'

let t: ClusterUnderTest
let load: ChatLoad
let api: ManagedProcess
let port = 0

const launch = () => {
  const edge = t.cluster.edgePort
  return startApi({
    port,
    env: { ...t.cluster.env, CORS_ORIGINS: `http://127.0.0.1:${edge},http://localhost:${edge}` },
    logFile: join(t.logDir, 'api-restarted.log'),
  })
}

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 3 })
  port = await freePort()
  api = await launch()
  await t.cluster.edge.reload({ apiServers: [`127.0.0.1:${port}`] })
  load = await ChatLoad.start(t.cluster.url, 6, 3)
  load.run(500)
}, 90_000)

afterAll(async () => {
  load?.close()
  await api?.stop()
  await t?.stop()
})

test('API stopped and started again under chat load: chat unaffected, REST back within 30 s of the start', async () => {
  const user = await register(t.cluster.url)
  const rooms = async () =>
    (await fetch(`${t.cluster.url}/api/rooms`, { headers: { authorization: `Bearer ${user.token}` } }).catch(() => undefined))
      ?.status ?? 0
  expect(await rooms()).toBe(200)
  await new Promise((r) => setTimeout(r, 1000))
  const outagesBefore = load.members.reduce((n, m) => n + m.outages.length, 0)
  const stopped = Date.now()
  await api.stop()
  const downStatus = await rooms()
  const startedAt = Date.now()
  api = await launch()
  const upMs = Date.now() - startedAt
  const restAgainMs = await timeUntil('REST answers through the edge', async () => (await rooms()) === 200, 30_000)
  const restDownMs = Date.now() - stopped
  const registered = await fetch(`${t.cluster.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'after', email: `after-${Date.now()}@example.com`, password: 'correct horse battery' }),
  })
  await new Promise((r) => setTimeout(r, 1000))
  await load.stop()
  const measured = {
    statusWhileDown: downStatus,
    restDownMs,
    processUpMs: upMs,
    restAfterProcessUpMs: restAgainMs,
    chatReconnects: load.members.reduce((n, m) => n + m.outages.length, 0) - outagesBefore,
    acked: load.ackedCount,
    failures: JSON.stringify(Object.fromEntries(load.failures)),
  }
  report('API restarted', measured)
  expect(downStatus).toBeGreaterThanOrEqual(500)
  expect(registered.status).toBe(201)
  expect(upMs + restAgainMs).toBeLessThan(30_000)
  expect(measured.chatReconnects).toBe(0)
  expect(await load.problems(t.db)).toEqual([])
  expect(load.duplicates).toBe(0)
}, 90_000)
