/**
 * Brute-force login across two API replicas behind the real nginx edge (an `api` upstream of two
 * API processes sharing the cluster's Redis): the limits hold in total, not per replica.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startApi } from '@hangout/testkit/launch'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { loginThroughEdge } from '../support/edge-login.js'
import { type ClusterUnderTest, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { report } from '../support/report.js'
import { register } from '@hangout/testkit/clients'

const RATE_LIMIT_MAX = 10

let t: ClusterUnderTest
let second: ManagedProcess

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 1, env: { RATE_LIMIT_MAX: String(RATE_LIMIT_MAX) } })
  const port = await freePort()
  const edge = t.cluster.edgePort
  second = await startApi({
    port,
    env: { ...t.cluster.env, CORS_ORIGINS: `http://127.0.0.1:${edge},http://localhost:${edge}` },
    logFile: join(t.logDir, 'api-2.log'),
  })
  await t.cluster.edge.reload({ apiServers: [new URL(t.cluster.apiUrl).host, `127.0.0.1:${port}`] })
}, 90_000)

afterAll(async () => {
  await second?.stop()
  await t?.stop()
})

/** A wrong-password login through the edge (test/support/edge-login.ts). */
function login(localAddress: string, email: string): Promise<number> {
  return loginThroughEdge(t.cluster.edgePort, localAddress, email)
}

/** Login requests each replica logged, by its log file (the edge strips `/api`). */
function loginsLogged(file: string): number {
  return readFileSync(join(t.logDir, file), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"url":"/auth/login"')).length
}

test('one address guessing new emails: 10 × 401 then only 429, though the edge spreads the tries over both replicas', async () => {
  const before = [loginsLogged('api.log'), loginsLogged('api-2.log')]
  const statuses: number[] = []
  for (let i = 0; i < RATE_LIMIT_MAX + 10; i++)
    statuses.push(await login('127.0.0.2', `guess-${i}-${randomBytes(3).toString('hex')}@example.com`))
  await new Promise((r) => setTimeout(r, 300))
  const perReplica = [loginsLogged('api.log') - (before[0] ?? 0), loginsLogged('api-2.log') - (before[1] ?? 0)]
  report('brute force across 2 API replicas (per address)', { statuses: statuses.join(' '), perReplica: perReplica.join('/') })
  expect(perReplica.every((n) => n > 0)).toBe(true)
  expect(statuses.slice(0, RATE_LIMIT_MAX)).toEqual(Array(RATE_LIMIT_MAX).fill(401))
  expect(statuses.slice(RATE_LIMIT_MAX)).toEqual(Array(10).fill(429))
})

test('one account from one address: its failures count in total across both replicas, backoff then 429; 15 other addresses are never refused', async () => {
  const victim = await register(t.cluster.url)
  const email = victim.email ?? ''
  const fromOne: number[] = []
  for (let i = 0; i < 8; i++) fromOne.push(await login('127.0.2.200', email))
  report('brute force across 2 API replicas (one account, one address)', { statuses: fromOne.join(' ') })
  expect(fromOne).toEqual([401, 401, 401, 401, 401, 401, 429, 429])
  const fromMany: number[] = []
  for (let i = 0; i < 15; i++) fromMany.push(await login(`127.0.2.${i + 1}`, email))
  expect(fromMany).toEqual(Array(15).fill(401))
})
