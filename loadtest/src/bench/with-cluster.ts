import { type BenchCluster, startBenchCluster } from '../bench-cluster.js'
import { say, values } from './options.js'

/** A cluster of its own for one measurement, stopped after it whatever happens. */
export async function withCluster<T>(
  gateways: number,
  body: (bench: BenchCluster) => Promise<T>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<T> {
  say(`starting a ${gateways}-node cluster...`)
  const adapter = values.adapter
  if (adapter !== undefined && adapter !== 'sharded' && adapter !== 'classic' && adapter !== 'memory')
    throw new Error('--adapter must be sharded, classic or memory (one node only: it shares no rooms)')
  // FerretDB on PostgreSQL is the local default store; sqlite: MONGO_URL or the machine's shared server.
  const store = values.store ?? 'ferretdb-pg'
  if (store !== 'sqlite' && store !== 'ferretdb-pg') throw new Error('--store must be sqlite or ferretdb-pg')
  const bench = await startBenchCluster(gateways, { env: { ...(adapter ? { ADAPTER: adapter } : {}), ...extraEnv }, store })
  try {
    return await body(bench)
  } finally {
    await bench.stop()
  }
}
