import { DEFAULT_REDIS_URL, probeHealth, ConfigError, type RedisTarget, readEnvConfig, redisTarget } from '@hangout/runtime'
/**
 * The local cluster, no Docker: `./hangout up [--nodes N] [--redis-cluster M] [--detach] | stop | status | scale N`.
 *
 * `up` runs a foreground supervisor (Ctrl-C stops everything cleanly); `up --detach` starts the
 * same supervisor in the background, prints the URL and returns (its output goes to
 * .data/logs/supervisor.log). Other shells find it through .data/run/cluster.json and talk to it
 * over .data/run/control.sock. Ports (the contract's defaults) may be moved with HANGOUT_EDGE_PORT,
 * HANGOUT_API_PORT and HANGOUT_GATEWAY_BASE_PORT (gateway i listens on base + i). `up --observe` also
 * starts Prometheus (observe.ts) on HANGOUT_PROMETHEUS_PORT (default 9090). `up --redis-cluster M`
 * starts a Redis Cluster of its own (M masters, one replica each, files in .data/redis-cluster) on
 * HANGOUT_REDIS_CLUSTER_BASE_PORT + 1 ... + 2M (default 7001...) and points the API and every
 * gateway at it instead of REDIS_URL; `status` shows its shards.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import Type from 'typebox'
import { type Cluster, startCluster } from './cluster.js'
import { callControl, serveControl } from './control.js'
import { CONTROL_SOCKET, clearState, type LocalClusterState, pidAlive, readLiveState, writeState } from './local-state.js'
import { type Observability, startObservability } from './observe.js'
import { DATA_DIR, ROOT, TSX_IMPORT } from './paths.js'
import { waitFor } from './process.js'
import { clusterHealthAt } from './redis-cluster.js'

const LocalEnv = Type.Object({
  HANGOUT_EDGE_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
  HANGOUT_API_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3000 }),
  HANGOUT_GATEWAY_BASE_PORT: Type.Integer({ minimum: 1, maximum: 65500, default: 3100 }),
  HANGOUT_NODES: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
  HANGOUT_PROMETHEUS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 9090 }),
  HANGOUT_REDIS_CLUSTER_BASE_PORT: Type.Integer({ minimum: 1, maximum: 65000, default: 7000 }),
})

const LOG_DIR = join(DATA_DIR, 'logs')
const WEB_DIST = join(ROOT, 'web/dist')
const startedAt = new Date().toISOString()
const say = (line: string) => console.log(`hangout: ${line}`)

function usage(): never {
  console.error('usage: ./hangout up [--nodes N] [--redis-cluster M] [--detach] [--observe] | stop | status | scale N')
  process.exit(2)
}

function parseMasters(value: string | undefined): number {
  const masters = Number(value)
  if (!Number.isInteger(masters) || masters < 3 || masters > 10) {
    say(`--redis-cluster: masters must be an integer from 3 to 10, not ${JSON.stringify(value)}`)
    process.exit(2)
  }
  return masters
}

function parseNodes(text: string | undefined): number {
  const nodes = Number(text)
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 20) {
    console.error(`hangout: the node count must be an integer from 1 to 20, not ${JSON.stringify(text ?? '')}`)
    process.exit(2)
  }
  return nodes
}

function buildWebIfMissing(): void {
  if (existsSync(join(WEB_DIST, 'index.html'))) return
  say('web/dist is missing: building the web app (pnpm --filter @hangout/web build)')
  const build = spawnSync('pnpm', ['--filter', '@hangout/web', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0 || !existsSync(join(WEB_DIST, 'index.html'))) {
    say('the web app could not be built; starting anyway: /api/ and /socket.io/ work, / answers 404 until web/dist exists')
  }
}

function describe(cluster: Cluster): LocalClusterState {
  return {
    pid: process.pid,
    url: cluster.url,
    startedAt: startedAt,
    api: { port: Number(new URL(cluster.apiUrl).port) },
    edge: { port: cluster.edgePort, pid: cluster.edge.process.pid },
    gateways: cluster.gateways.map((g) => ({
      index: g.index,
      nodeId: g.nodeId,
      port: g.port,
      pid: g.process?.pid,
      running: g.running,
    })),
    ...(cluster.redisCluster
      ? { redisCluster: { nodes: cluster.redisCluster.nodes.map((n) => ({ port: n.port, pid: n.process.pid })) } }
      : {}),
  }
}
async function scaleTo(cluster: Cluster, nodes: number): Promise<void> {
  while (cluster.gateways.length < nodes) {
    const added = await cluster.addGateway()
    say(`scaled out: ${added.nodeId} on ${added.upstream}`)
  }
  while (cluster.gateways.length > nodes) {
    const last = cluster.gateways.at(-1)
    if (!last) break
    await cluster.removeGateway(last.index, { drain: true })
    say(`scaled in: ${last.nodeId} drained and stopped`)
  }
}

async function up(args: string[]): Promise<void> {
  const config = readEnvConfig(LocalEnv, process.env)
  let nodes = config.HANGOUT_NODES
  let detach = false
  let observe = false
  let redisMasters: number | undefined
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--nodes') nodes = parseNodes(args[++i])
    else if (args[i] === '--redis-cluster') redisMasters = parseMasters(args[++i])
    else if (args[i]?.startsWith('--nodes=')) nodes = parseNodes(args[i]?.slice(8))
    else if (args[i] === '--detach' || args[i] === '-d') detach = true
    else if (args[i] === '--observe') observe = true
    else usage()
  }
  const running = readLiveState()
  if (running) {
    say(`already running at ${running.url} (supervisor pid ${running.pid}); ./hangout stop first`)
    process.exit(1)
  }
  if (detach) return upDetached(nodes, observe, redisMasters)

  buildWebIfMissing()
  let cluster: Cluster | undefined
  let observability: Observability | undefined
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    say(`${signal}: stopping the cluster`)
    await observability?.stop()
    await cluster?.stop()
    clearState()
    say('stopped')
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  cluster = await startCluster({
    gateways: nodes,
    edgePort: config.HANGOUT_EDGE_PORT,
    apiPort: config.HANGOUT_API_PORT,
    gatewayBasePort: config.HANGOUT_GATEWAY_BASE_PORT,
    env: process.env,
    logDir: LOG_DIR,
    edgeDir: join(DATA_DIR, 'nginx'),
    supervise: true,
    ...(redisMasters === undefined
      ? {}
      : {
          redisCluster: {
            masters: redisMasters,
            ports: Array.from({ length: redisMasters * 2 }, (_, i) => config.HANGOUT_REDIS_CLUSTER_BASE_PORT + 1 + i),
            dir: join(DATA_DIR, 'redis-cluster'),
          },
        }),
    onEvent: (line) => {
      say(line)
      if (cluster && !stopping) writeState(describe(cluster))
    },
  })
  const live = cluster
  try {
    if (observe) {
      observability = await startObservability({
        port: config.HANGOUT_PROMETHEUS_PORT,
        dir: join(DATA_DIR, 'prometheus'),
        logDir: LOG_DIR,
        apiUrl: live.apiUrl,
        edgeUrl: live.url,
        redisUrls: redisUrlsOf(redisTarget(live.env.REDIS_URL ?? DEFAULT_REDIS_URL, live.env.REDIS_CLUSTER_NODES)),
        gatewayUrls: () => live.gateways.map((g) => g.url),
      })
      say(`prometheus on ${observability.url} (alerts: ${observability.url}/alerts; logs ${LOG_DIR}/prometheus.log)`)
    }
    await serveControl(CONTROL_SOCKET, {
      status: () => describe(live),
      scale: async (n) => {
        await scaleTo(live, n)
        observability?.updateGateways()
        writeState(describe(live))
        return describe(live)
      },
    })
    writeState(describe(live))
  } catch (err) {
    await observability?.stop()
    await live.stop()
    clearState()
    throw err
  }
  say(`logs in ${LOG_DIR}; ./hangout status | scale N | stop from another shell; Ctrl-C here stops it`)
  say(`ready: ${live.url}`)
}

async function upDetached(nodes: number, observe: boolean, redisMasters: number | undefined): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true })
  const logFile = join(LOG_DIR, 'supervisor.log')
  const out = openSync(logFile, 'a')
  const child = spawn(
    process.execPath,
    [
      ...TSX_IMPORT,
      join(ROOT, 'infra/src/cli.ts'),
      'up',
      '--nodes',
      String(nodes),
      ...(observe ? ['--observe'] : []),
      ...(redisMasters === undefined ? [] : ['--redis-cluster', String(redisMasters)]),
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', out, out],
    },
  )
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  say(`supervisor started in the background (pid ${child.pid}); its output: ${logFile}`)
  await waitFor(
    'the cluster to come up',
    async () => {
      if (exited) throw new Error(`the supervisor exited: see ${logFile}`)
      return readLiveState()?.pid === child.pid
    },
    120_000,
    250,
  )
  child.unref()
  say(`ready: ${readLiveState()?.url}`)
}

async function stop(): Promise<void> {
  const state = readLiveState()
  if (!state) return say('not running')
  process.kill(state.pid, 'SIGTERM')
  await waitFor('the supervisor to stop', async () => !pidAlive(state.pid), 60_000, 200)
  say(`stopped (supervisor pid ${state.pid})`)
}

async function probe(url: string): Promise<string> {
  const answer = await probeHealth(url, 1500)
  if (!answer) return 'down'
  return answer.status === 200 ? 'ok' : `HTTP ${answer.status}`
}

async function status(): Promise<void> {
  const state = readLiveState()
  if (!state) {
    say('not running')
    process.exit(3)
  }
  const { body } = await callControl(CONTROL_SOCKET, 'GET', '/status').catch(() => ({ body: state }))
  const now = body as LocalClusterState
  console.log(`supervisor pid ${now.pid}, up since ${now.startedAt}: ${now.url}`)
  console.log(`  edge     :${now.edge.port}  ${await probe(`http://127.0.0.1:${now.edge.port}/edge/healthz`)}`)
  console.log(`  api      :${now.api.port}  ${await probe(`http://127.0.0.1:${now.api.port}/healthz`)}`)
  for (const g of now.gateways) {
    console.log(`  ${g.nodeId.padEnd(8)} :${g.port}  ${await probe(`http://127.0.0.1:${g.port}/healthz`)}  pid ${g.pid ?? '-'}`)
  }
  if (now.redisCluster) await printShards(now.redisCluster.nodes.map((n) => n.port))
}

/** The Redis Cluster's state and shards, as the first node that answers tells them. */
async function printShards(ports: number[]): Promise<void> {
  for (const port of ports) {
    const health = await clusterHealthAt(port).catch(() => undefined)
    if (!health) continue
    console.log(`  redis cluster: ${health.state}, ${health.shards.length} shards`)
    for (const shard of health.shards)
      console.log(
        `    shard ${(shard.master || 'no master').padEnd(16)} ${String(shard.slots).padStart(5)} slots  replicas ${shard.replicas.join(', ') || 'none'}`,
      )
    return
  }
  console.log(`  redis cluster: no node answers (ports ${ports.join(', ')})`)
}

async function scale(args: string[]): Promise<void> {
  const nodes = parseNodes(args[0])
  const state = readLiveState()
  if (!state) {
    say('not running: ./hangout up first')
    process.exit(3)
  }
  say(`scaling to ${nodes} gateway node(s)...`)
  const { status: code, body } = await callControl(CONTROL_SOCKET, 'POST', '/scale', { nodes })
  if (code !== 200) {
    say(`scale failed: ${(body as { error?: string }).error ?? code}`)
    process.exit(1)
  }
  const now = body as LocalClusterState
  say(`now ${now.gateways.length} node(s): ${now.gateways.map((g) => `${g.nodeId}:${g.port}`).join(', ')}`)
}

const [command, ...rest] = process.argv.slice(2)
const commands: Record<string, (args: string[]) => Promise<void>> = { up, stop, status: () => status(), scale }
const run = command ? commands[command] : undefined
if (!run) usage()
run(rest).catch((err: Error) => {
  console.error(err instanceof ConfigError ? err.message : `hangout: ${err.message}`)
  process.exit(1)
})

/** Each Redis the target names, as redis://host:port (the one Redis, or every node of the cluster). */
function redisUrlsOf(target: RedisTarget): string[] {
  return target.kind === 'single' ? [target.url] : target.nodes.map((n) => `redis://${n.host}:${n.port}`)
}
