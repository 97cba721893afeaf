import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import type { LocalClusterState } from '../src/local-state.js'
import { ROOT, TSX_IMPORT } from '../src/paths.js'
import { freePort, type ManagedProcess, waitFor } from '../src/process.js'
import { startRedis } from '../src/services.js'
import { testMongoUrl, dropDatabase } from '@hangout/testkit/clients'

const run = promisify(execFile)
const dataDir = mkdtempSync(join(tmpdir(), 'hangout-cli-'))
const mongoUrl = testMongoUrl()
const SUPERVISOR_LOG = join(dataDir, 'logs', 'supervisor.log')
let redis: ManagedProcess
let env: NodeJS.ProcessEnv

async function hangout(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...TSX_IMPORT, join(ROOT, 'infra/src/cli.ts'), ...args], {
      cwd: ROOT,
      env,
      timeout: 120_000,
    })
    return stdout + stderr
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string }
    const log = existsSync(SUPERVISOR_LOG) ? readFileSync(SUPERVISOR_LOG, 'utf8').slice(-3000) : ''
    e.message += `\n${e.stdout ?? ''}${e.stderr ?? ''}\n--- supervisor.log ---\n${log}`
    throw e
  }
}

function state(): LocalClusterState {
  return JSON.parse(readFileSync(join(dataDir, 'run', 'cluster.json'), 'utf8')) as LocalClusterState
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A base port below the kernel's ephemeral range (32768+) with `count` free ports after it. */
async function freeBlock(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000)
    const ports = Array.from({ length: count }, (_, i) => base + 1 + i)
    if ((await Promise.all(ports.map(canListen))).every(Boolean)) return base
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

beforeAll(async () => {
  const redisPort = await freePort()
  redis = await startRedis(redisPort)
  const base = await freeBlock(6)
  env = {
    ...process.env,
    HANGOUT_DATA_DIR: dataDir,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    MONGO_URL: mongoUrl,
    HANGOUT_EDGE_PORT: String(await freePort()),
    HANGOUT_API_PORT: String(await freePort()),
    // Gateway i listens on base + i.
    HANGOUT_GATEWAY_BASE_PORT: String(base),
  }
})

afterAll(async () => {
  const pid = (() => {
    try {
      return state().pid
    } catch {
      return undefined
    }
  })()
  if (alive(pid)) await hangout('stop').catch(() => {})
  await redis?.stop()
  await dropDatabase(mongoUrl)
  rmSync(dataDir, { recursive: true, force: true })
})

test('up --detach, status, a crashed node restarted, scale out and in, stop', async () => {
  const started = await hangout('up', '--detach', '--nodes', '2')
  expect(started).toMatch(/ready: http:\/\/127\.0\.0\.1:\d+/)
  const first = state()
  expect(first.gateways.map((g) => g.nodeId)).toEqual(['node-1', 'node-2'])
  expect((await fetch(`${first.url}/edge/healthz`)).status).toBe(200)
  await expect(hangout('up')).rejects.toThrow(/already running/)

  const status = await hangout('status')
  expect(status).toMatch(/node-1 +:\d+ +ok/)
  expect(status).toMatch(/node-2 +:\d+ +ok/)
  expect(status).toMatch(/api +:\d+ +ok/)

  const crashed = first.gateways[1]?.pid
  process.kill(crashed as number, 'SIGKILL')
  await waitFor(
    'the supervisor to restart node-2',
    async () => {
      const g = state().gateways[1]
      return g !== undefined && g.pid !== crashed && g.running && alive(g.pid)
    },
    30_000,
    200,
  )

  expect(await hangout('scale', '3')).toMatch(/now 3 node\(s\): node-1:\d+, node-2:\d+, node-3:\d+/)
  const nginxConf = readFileSync(join(dataDir, 'nginx', 'nginx.conf'), 'utf8')
  expect(nginxConf.match(/server 127\.0\.0\.1:\d+ max_fails=0;/g)).toHaveLength(3)
  const third = state().gateways[2]
  expect((await fetch(`http://127.0.0.1:${third?.port}/healthz`)).status).toBe(200)

  expect(await hangout('scale', '1')).toMatch(/now 1 node\(s\): node-1:\d+/)
  expect(alive(third?.pid)).toBe(false)
  await expect(hangout('scale', 'many')).rejects.toThrow(/integer from 1 to 20/)

  const last = state()
  expect(await hangout('stop')).toMatch(/stopped/)
  for (const pid of [last.pid, last.edge.pid, ...last.gateways.map((g) => g.pid)]) expect(alive(pid)).toBe(false)
  expect(await hangout('status').catch((err: { stdout: string }) => err.stdout)).toMatch(/not running/)
}, 180_000)

test('up --redis-cluster 3 --observe: a Redis Cluster of its own (3 masters, 1 replica each) that everything uses, each node watched by Prometheus; status shows its shards; stop ends it', async () => {
  const redisBase = await freeBlock(6)
  const prometheusPort = await freePort()
  const clusterEnv = {
    ...env,
    HANGOUT_REDIS_CLUSTER_BASE_PORT: String(redisBase),
    HANGOUT_PROMETHEUS_PORT: String(prometheusPort),
  }
  const saved = env
  env = clusterEnv
  try {
    expect(await hangout('up', '--detach', '--nodes', '1', '--redis-cluster', '3', '--observe')).toMatch(
      /ready: http:\/\/127\.0\.0\.1:\d+/,
    )
    const now = state()
    const redisPorts = Array.from({ length: 6 }, (_, i) => redisBase + 1 + i)
    expect(now.redisCluster?.nodes.map((n) => n.port)).toEqual(redisPorts)
    // Every node of the cluster is a target of its own, up, through the one redis exporter.
    const redisUp = async () => {
      const query = encodeURIComponent('redis_up{job="hangout-redis"} == 1')
      const body = (await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/query?query=${query}`)).json()) as {
        data: { result: { metric: { instance: string } }[] }
      }
      return body.data.result.map((r) => r.metric.instance).sort()
    }
    await waitFor('each Redis Cluster node scraped', async () => (await redisUp()).length === 6, 60_000, 500)
    expect(await redisUp()).toEqual(redisPorts.map((port) => `redis://127.0.0.1:${port}`).sort())
    const gateway = now.gateways[0]
    const health = (await (await fetch(`http://127.0.0.1:${gateway?.port}/healthz`)).json()) as {
      redisCluster?: { state: string; shards: { replicas: string[] }[] }
    }
    expect(health.redisCluster?.state).toBe('ok')
    expect(health.redisCluster?.shards.map((s) => s.replicas.length)).toEqual([1, 1, 1])
    const api = (await (await fetch(`http://127.0.0.1:${now.api.port}/healthz`)).json()) as { redisCluster?: { state: string } }
    expect(api.redisCluster?.state).toBe('ok')

    const status = await hangout('status')
    expect(status).toMatch(/redis cluster: ok, 3 shards/)
    expect(status.match(/shard 127\.0\.0\.1:\d+ +\d+ slots +replicas 127\.0\.0\.1:\d+/g)).toHaveLength(3)

    expect(await hangout('stop')).toMatch(/stopped/)
    for (const node of now.redisCluster?.nodes ?? []) expect(alive(node.pid)).toBe(false)
  } finally {
    env = saved
  }
}, 180_000)
