/**
 * The whole Hangout topology as real processes: Redis + the MongoDB-wire server (reused when they
 * answer), the API, N gateway nodes, and the nginx edge in front, routing rooms by ketama.
 *
 *   const cluster = await startCluster({ gateways: 3, privateRedis: true, env: { MONGO_URL } })
 *   cluster.url                      // the edge: http://127.0.0.1:<port> (web app, /api/, /socket.io/)
 *   cluster.gateways                 // [{ index, nodeId, port, upstream, url, running }], by index
 *   await cluster.addGateway()       // a new node (index = highest + 1); nginx reloaded to include it
 *   await cluster.removeGateway(2)   // nginx reloaded without node 2, then node 2 drained (SIGTERM)
 *   await cluster.removeGateway(2, { drain: false })  // ... then killed (SIGKILL) instead
 *   await cluster.killGateway(2)     // SIGKILL, nginx untouched: a crash (the edge moves on by itself)
 *   await cluster.restartGateway(2)  // the same node id and port again
 *   await cluster.reloadNginx()      // re-render the config from the current node list, reload
 *   cluster.unresponsive             // indexes the health check took out of nginx's upstream
 *   await cluster.stop()             // everything this call started, edge first
 *
 * Every port left out is a free one (tests: leave them all out). The local cluster passes the
 * contract's ports: edge 8080, API 3000, gateway i on gatewayBasePort + i (3101...).
 * Redis: the gateways register in one global hash (RedisKeys.nodes), so two clusters on one Redis
 * would see each other's nodes: tests pass `privateRedis: true` (a redis-server of its own on a
 * free port) or their own REDIS_URL. MongoDB: MONGO_URL in `env` (tests: a database of their own).
 * Node ids are `<nodePrefix><index>` ("node-1"...); each gateway's ring string is 127.0.0.1:<port>.
 * Health check (on unless `healthCheck: false`): every running gateway's /healthz is polled each
 * second; one silent for 3 s (frozen, hung) leaves nginx's upstream until it answers again, as the
 * gateways' ring drops a node whose heartbeat expired (see gateway-health.ts).
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { GatewayHealth } from './gateway-health.js'
import { startApi, startGateway } from './start-service.js'
import { Edge, type EdgeOptions } from './nginx.js'
import { DATA_DIR, ROOT } from './paths.js'
import { freePort, isPortTaken, type ManagedProcess } from './process.js'
import { type RedisCluster, startRedisCluster } from './redis-cluster.js'
import { ensureServices, startRedis } from './services.js'
import { Supervised } from './supervisor.js'

export interface ClusterOptions {
  /** Gateway nodes to start with (default 3). */
  gateways?: number
  edgePort?: number
  apiPort?: number
  /** Gateway i (1-based) listens on gatewayBasePort + i; without it each takes a free port. */
  gatewayBasePort?: number
  /** Handed to the API and every gateway (MONGO_URL, REDIS_URL, JWT keys, GRACE_MS...). */
  env?: NodeJS.ProcessEnv
  /** Process logs: <logDir>/api.log, gateway-<i>.log, nginx.log (default .data/logs). */
  logDir?: string
  /** nginx's prefix: config, pid, temp files, access log (default .data/run/edge-<edgePort>). */
  edgeDir?: string
  /** The built web app (default web/dist). */
  webRoot?: string
  /** Start a redis-server of its own on a free port instead of using REDIS_URL. */
  privateRedis?: boolean
  /**
   * Start a Redis Cluster of its own instead (this many masters, one replica each; `ports`: fixed
   * client ports, masters first, else free ones; `dir` for its nodes' files) and point the API and
   * every gateway at it (REDIS_CLUSTER_NODES).
   */
  redisCluster?: { masters: number; ports?: number[]; dir?: string }
  /** Restart a crashed API or gateway with backoff (the local cluster does). Default off. */
  supervise?: boolean
  nodePrefix?: string
  /**
   * How the edge places sockets on the gateways: 'room-hash' (default) or 'round-robin' (benchmarks
   * only: a room's sockets scattered; connect with websocket transport only).
   */
  gatewayBalance?: 'room-hash' | 'round-robin'
  /** The edge's per-address limits (default EDGE_LIMITS). */
  edgeLimits?: EdgeOptions['limits']
  /** The edge's active health check of the gateways (default on); timings for tests. */
  healthCheck?: false | { intervalMs?: number; downAfterMs?: number }
  onEvent?: (line: string) => void
}

export interface GatewayNode {
  index: number
  nodeId: string
  port: number
  /** Its `server` address in nginx's upstream block, and its string on the ring. */
  upstream: string
  url: string
  readonly running: boolean
  readonly process: ManagedProcess | undefined
}

export interface Cluster {
  readonly url: string
  readonly edgePort: number
  readonly apiUrl: string
  readonly env: NodeJS.ProcessEnv
  readonly edge: Edge
  /** The Redis Cluster this call started (`redisCluster`), if any. */
  readonly redisCluster: RedisCluster | undefined
  readonly gateways: GatewayNode[]
  gateway(index: number): GatewayNode
  addGateway(): Promise<GatewayNode>
  removeGateway(index: number, options?: { drain?: boolean }): Promise<void>
  killGateway(index: number): Promise<void>
  restartGateway(index: number): Promise<void>
  reloadNginx(): Promise<void>
  /** Gateways the health check took out of nginx's upstream (running, but not answering), once nginx serves that. */
  readonly unresponsive: ReadonlySet<number>
  stop(): Promise<void>
}

interface Member {
  node: GatewayNode
  supervised: Supervised
}

/** Times a cluster on free ports is started again when one of its ports was taken meanwhile. */
const PORT_ATTEMPTS = 3

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  // A port freePort() picked can be bound by another process (another test run on this machine)
  // before our server binds it; the launchers notice (listener.ts), and the whole cluster starts
  // again on other ports, since the edge's port is in the services' allowed origins.
  const fixedPorts = options.edgePort !== undefined || options.apiPort !== undefined || options.gatewayBasePort !== undefined
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(options)
    } catch (err) {
      if (fixedPorts || attempt >= PORT_ATTEMPTS || !isPortTaken(err)) throw err
      options.onEvent?.(`cluster: a port was taken before it was bound; starting again on others (${attempt})`)
    }
  }
}

async function startClusterOnce(options: ClusterOptions): Promise<Cluster> {
  const logDir = options.logDir ?? join(DATA_DIR, 'logs')
  mkdirSync(logDir, { recursive: true })
  const say = options.onEvent ?? (() => {})
  const stoppers: (() => Promise<void>)[] = []
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch((err: Error) => say(`stop: ${err.message}`))
  }

  try {
    const env: NodeJS.ProcessEnv = { ...options.env }
    if (options.privateRedis) {
      const port = await freePort()
      const redis = await startRedis(port, join(logDir, `redis-${port}.log`))
      stoppers.push(() => redis.stop())
      env.REDIS_URL = `redis://127.0.0.1:${port}`
    }
    let redisCluster: RedisCluster | undefined
    if (options.redisCluster) {
      const { masters, ports, dir } = options.redisCluster
      redisCluster = await startRedisCluster({
        masters,
        ...(ports ? { ports } : {}),
        dir: dir ?? join(DATA_DIR, 'run', `redis-cluster-${randomBytes(4).toString('hex')}`),
      })
      stoppers.push(() => redisCluster?.stop() ?? Promise.resolve())
      env.REDIS_CLUSTER_NODES = redisCluster.seeds
      say(`redis cluster: ${masters} masters, 1 replica each, on ${redisCluster.seeds}`)
    }
    const services = await ensureServices({ ...process.env, ...env }, logDir)
    for (const proc of services.started) stoppers.push(() => proc.stop())
    if (!env.REDIS_CLUSTER_NODES) env.REDIS_URL = services.redisUrl
    env.MONGO_URL = services.mongoUrl

    const edgePort = options.edgePort ?? (await freePort())
    const apiPort = options.apiPort ?? (await freePort())
    const origins = `http://127.0.0.1:${edgePort},http://localhost:${edgePort}`
    const api = new Supervised({
      name: 'api',
      restart: options.supervise ?? false,
      onEvent: say,
      start: () => startApi({ port: apiPort, env: { CORS_ORIGINS: origins, ...env }, logFile: join(logDir, 'api.log') }),
    })
    await api.start()
    stoppers.push(() => api.stop())
    say(`api on 127.0.0.1:${apiPort}`)

    const members = new Map<number, Member>()
    const prefix = options.nodePrefix ?? 'node-'
    const portFor = async (index: number) =>
      options.gatewayBasePort !== undefined ? options.gatewayBasePort + index : await freePort()

    const launch = async (index: number, port: number): Promise<Member> => {
      const nodeId = `${prefix}${index}`
      const upstream = `127.0.0.1:${port}`
      const supervised = new Supervised({
        name: `gateway-${index}`,
        restart: options.supervise ?? false,
        onEvent: say,
        start: () =>
          startGateway({
            port,
            nodeId,
            env: { ALLOWED_ORIGINS: origins, ...env, UPSTREAM: upstream },
            logFile: join(logDir, `gateway-${index}.log`),
          }),
      })
      const node: GatewayNode = {
        index,
        nodeId,
        port,
        upstream,
        url: `http://${upstream}`,
        get running() {
          return supervised.running
        },
        get process() {
          return supervised.process
        },
      }
      await supervised.start()
      say(`${supervised.name} (${nodeId}) on ${upstream}`)
      return { node, supervised }
    }

    const count = options.gateways ?? 3
    if (!Number.isInteger(count) || count < 1) throw new Error(`cluster: gateways must be a positive integer, not ${count}`)
    const first = await Promise.all(Array.from({ length: count }, async (_, i) => launch(i + 1, await portFor(i + 1))))
    for (const member of first) members.set(member.node.index, member)
    stoppers.push(async () => {
      await Promise.all([...members.values()].map((m) => m.supervised.stop()))
    })

    let unresponsive: ReadonlySet<number> = new Set()
    /** `unresponsive` once nginx serves the config without them. */
    let outOfEdge: ReadonlySet<number> = new Set()
    /** Every member but the unanswering ones; all of them if none answers (nginx needs a server). */
    const upstreams = () => {
      const all = [...members.values()]
      const live = all.filter((m) => !unresponsive.has(m.node.index))
      return (live.length > 0 ? live : all).map((m) => ({ upstream: m.node.upstream }))
    }
    const edge = await Edge.start({
      port: edgePort,
      apiServers: [`127.0.0.1:${apiPort}`],
      gatewayServers: upstreams(),
      webRoot: options.webRoot ?? join(ROOT, 'web/dist'),
      dir: options.edgeDir ?? join(DATA_DIR, 'run', `edge-${edgePort}`),
      logFile: join(logDir, 'nginx.log'),
      gatewayBalance: options.gatewayBalance,
      limits: options.edgeLimits,
    })
    stoppers.push(() => edge.stop())
    say(`edge on ${edge.url}`)

    // One reload at a time: the health check and scale calls may both change the upstream.
    let reloads: Promise<unknown> = Promise.resolve()
    const reloadUpstream = (): Promise<void> => {
      const next = reloads.then(() => edge.reload({ gatewayServers: upstreams() }))
      reloads = next.catch(() => undefined)
      return next
    }

    if (options.healthCheck !== false) {
      const health = new GatewayHealth({
        ...options.healthCheck,
        targets: () => [...members.values()].map(({ node }) => ({ index: node.index, url: node.url, running: node.running })),
        onChange: async (down) => {
          unresponsive = down
          await reloadUpstream()
          outOfEdge = down
        },
        onEvent: say,
      })
      health.start()
      stoppers.push(() => health.stop())
    }

    const member = (index: number): Member => {
      const found = members.get(index)
      if (!found) throw new Error(`cluster: no gateway ${index} (there are ${[...members.keys()].join(', ') || 'none'})`)
      return found
    }

    return {
      url: edge.url,
      edgePort,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      env,
      edge,
      redisCluster,
      get gateways() {
        return [...members.values()].map((m) => m.node).sort((a, b) => a.index - b.index)
      },
      gateway: (index) => member(index).node,
      async addGateway() {
        const index = Math.max(0, ...members.keys()) + 1
        const added = await launch(index, await portFor(index))
        members.set(index, added)
        await reloadUpstream()
        return added.node
      },
      async removeGateway(index, { drain = true } = {}) {
        const leaving = member(index)
        if (members.size === 1) throw new Error('cluster: cannot remove the last gateway')
        members.delete(index)
        await reloadUpstream()
        if (drain) await leaving.supervised.stop()
        else {
          await leaving.supervised.kill()
          await leaving.supervised.stop()
        }
      },
      async killGateway(index) {
        await member(index).supervised.kill()
      },
      async restartGateway(index) {
        const { supervised } = member(index)
        await supervised.stop()
        await supervised.start()
      },
      reloadNginx: reloadUpstream,
      get unresponsive() {
        return outOfEdge
      },
      stop: stopAll,
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}
