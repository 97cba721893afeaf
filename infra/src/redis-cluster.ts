/**
 * A real Redis Cluster of our own: `masters` shards of one master and `replicas` replicas each,
 * every node a `redis-server --cluster-enabled yes` on free loopback ports (its client port and
 * its cluster bus port, `cluster-port`) with its files in `dir`, joined by
 * `redis-cli --cluster create ... --cluster-replicas N --cluster-yes`. Resolves once every node
 * answers `cluster_state:ok` and knows every other. Nothing is kept on disk but each node's
 * nodes.conf (no snapshots, no AOF): a stopped cluster is gone.
 *
 *   const cluster = await startRedisCluster({ dir })
 *   cluster.seeds                         // "127.0.0.1:p1,127.0.0.1:p2,..." for REDIS_CLUSTER_NODES
 *   await cluster.shards()                // [{ master, replicas, slots }] as CLUSTER SHARDS tells it
 *   await cluster.killMaster(port)        // kill -9; resolves once a replica took its slots over
 *   await cluster.stop()
 */
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseShards, type RedisClusterHealth, type RedisShard, redisClusterHealth } from '@hangout/runtime'
import { Redis } from 'ioredis'
import { freePort, ManagedProcess, waitFor, waitForPort } from './process.js'

const run = promisify(execFile)

export interface RedisClusterOptions {
  /** Each node's nodes.conf and log (emptied first). */
  dir: string
  masters?: number
  replicas?: number
  /** cluster-node-timeout: how long a master may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number
  /** Client ports to use, masters first (the local cluster's fixed ones); free ports when left out. */
  ports?: number[]
}

export interface RedisClusterNode {
  port: number
  busPort: number
  process: ManagedProcess
}

export interface RedisCluster {
  readonly nodes: RedisClusterNode[]
  /** Every node as host:port, comma-separated: REDIS_CLUSTER_NODES. */
  readonly seeds: string
  shards(): Promise<RedisShard[]>
  /** A client of one node (not cluster-aware): CLUSTER commands, INFO, DEBUG. */
  admin(port: number): Redis
  /** SIGKILL a master, then wait until its shard has a new master and the cluster is ok again. */
  killMaster(port: number): Promise<{ promoted: string }>
  /** Waits until every running node answers cluster_state:ok. */
  waitOk(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export async function startRedisCluster(options: RedisClusterOptions): Promise<RedisCluster> {
  const masters = options.masters ?? 3
  const replicas = options.replicas ?? 1
  const count = masters * (replicas + 1)
  if (!Number.isInteger(masters) || masters < 3) throw new Error(`redis cluster: at least 3 masters, not ${masters}`)
  if (options.ports && options.ports.length !== count) throw new Error(`redis cluster: ${count} ports needed`)
  rmSync(options.dir, { recursive: true, force: true })
  mkdirSync(options.dir, { recursive: true })
  const nodes: RedisClusterNode[] = []
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.process.stop()))
  }
  try {
    for (let i = 0; i < count; i++) {
      const port = options.ports?.[i] ?? (await freePort())
      const busPort = await freePort()
      nodes.push({ port, busPort, process: startNode(options.dir, port, busPort, options.nodeTimeoutMs ?? 2000) })
    }
    await Promise.all(nodes.map((n) => waitForPort(n.port, n.process)))
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`)
    // Masters are the first `masters` addresses; the tool gives each its replicas from the rest.
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], {
      timeout: 60_000,
    })
    const cluster = handle(nodes, masters, replicas)
    await cluster.waitOk(30_000)
    return cluster
  } catch (err) {
    await stopAll()
    throw err
  }
}

function startNode(dir: string, port: number, busPort: number, nodeTimeoutMs: number): ManagedProcess {
  return new ManagedProcess({
    name: `redis-cluster:${port}`,
    command: 'redis-server',
    args: [
      '--port',
      String(port),
      '--cluster-port',
      String(busPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      String(nodeTimeoutMs),
      // A shard failing over leaves the other shards answering (Redis's default stops the whole
      // cluster until every slot is served again): their rooms go on, and so do heartbeat mirrors.
      '--cluster-require-full-coverage',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
      '--repl-diskless-sync-delay',
      '0',
    ],
    logFile: join(dir, `redis-${port}.log`),
  })
}

function handle(nodes: RedisClusterNode[], masters: number, replicas: number): RedisCluster {
  const count = masters * (replicas + 1)
  const admin = (port: number) => new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null })
  const ask = async <T>(port: number, query: (client: Redis) => Promise<T>): Promise<T> => {
    const client = admin(port)
    client.on('error', () => {})
    try {
      return await query(client)
    } finally {
      client.disconnect()
    }
  }
  const running = () => nodes.filter((n) => n.process.running)
  const shards = async () => {
    const [first] = running()
    if (!first) throw new Error('redis cluster: no node running')
    return parseShards(await ask(first.port, (c) => c.call('CLUSTER', 'SHARDS')))
  }
  const waitOk = async (timeoutMs = 30_000) => {
    await waitFor(
      'redis cluster: cluster_state:ok on every node',
      async () => {
        const states = await Promise.all(
          running().map((n) =>
            ask(n.port, async (c) => {
              const info = String(await c.cluster('INFO'))
              const known = Number(/cluster_known_nodes:(\d+)/.exec(info)?.[1])
              return /cluster_state:ok/.test(info) && known === count
            }),
          ),
        )
        if (!states.every(Boolean)) return false
        // Every shard has its replicas attached (right after the create they are still syncing).
        const serving = (await shards()).filter((s) => s.slots > 0)
        return serving.length === masters && serving.every((s) => s.replicas.length === replicas)
      },
      timeoutMs,
      200,
    )
  }
  return {
    nodes,
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    shards,
    admin,
    waitOk,
    async killMaster(port) {
      const node = nodes.find((n) => n.port === port)
      if (!node) throw new Error(`redis cluster: no node on ${port}`)
      const before = (await shards()).find((s) => s.master === `127.0.0.1:${port}`)
      if (!before) throw new Error(`redis cluster: 127.0.0.1:${port} is not a master`)
      await node.process.kill()
      let promoted = ''
      await waitFor(
        `a replica of 127.0.0.1:${port} promoted`,
        async () => {
          const now = await shards()
          const shard = now.find((s) => s.slots === before.slots && before.replicas.includes(s.master))
          promoted = shard?.master ?? ''
          return promoted !== ''
        },
        30_000,
        200,
      )
      await waitFor(
        'redis cluster: cluster_state:ok after the failover',
        async () => {
          const states = await Promise.all(
            running().map((n) => ask(n.port, async (c) => /cluster_state:ok/.test(String(await c.cluster('INFO'))))),
          )
          return states.every(Boolean)
        },
        30_000,
        200,
      )
      return { promoted }
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.process.stop()))
    },
  }
}

/** The state and shards of the cluster the node on `port` (loopback) belongs to. */
export async function clusterHealthAt(port: number): Promise<RedisClusterHealth> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1500 })
  client.on('error', () => {})
  try {
    return await redisClusterHealth(client)
  } finally {
    client.disconnect()
  }
}
