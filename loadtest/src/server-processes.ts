/** The cluster's server processes, by role, and what they spent over a window (CPU time, RSS). */
import type { Cluster } from '@hangout/infra/cluster'
import { descendants, listProcesses, type ProcSample, sampleProcess } from './proc-stats.js'

export interface ServerProcess {
  /** e.g. gateway:node-1, api, redis, nginx (master and workers summed under one name). */
  name: string
  role: 'gateway' | 'api' | 'redis' | 'nginx' | 'mongo' | 'reference'
  pids: number[]
}

/** Finds the cluster's processes: gateways by the cluster's handles, the rest among this process's descendants. */
export function serverProcesses(cluster: Cluster): ServerProcess[] {
  const all = listProcesses()
  const mine = descendants(process.pid, all)
  const found: ServerProcess[] = []
  for (const node of cluster.gateways) {
    const pid = node.process?.pid
    if (pid) found.push({ name: `gateway:${node.nodeId}`, role: 'gateway', pids: [pid] })
  }
  const api = mine.filter((p) => p.cmdline.includes('api/src/server.ts')).map((p) => p.pid)
  if (api.length) found.push({ name: 'api', role: 'api', pids: api })
  // This cluster's Redis by its port: the bench may run two clusters side by side.
  const redisPort = new URL(cluster.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || '6379'
  const redis = mine.filter((p) => p.cmdline.startsWith('redis-server') && p.cmdline.endsWith(`:${redisPort}`)).map((p) => p.pid)
  if (redis.length) found.push({ name: 'redis', role: 'redis', pids: redis })
  // The MongoDB-wire server this cluster uses (found by its listen port; it may be the machine's
  // shared one): shown, never counted in the cluster's CPU.
  const mongoPort = new URL(cluster.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017').port || '27017'
  const mongo = all
    .filter(
      (p) => /(^|\/)(hangout-ferretdb|ferretdb|mongod) /.test(p.cmdline) && new RegExp(`[: ]${mongoPort}( |$)`).test(p.cmdline),
    )
    .map((p) => p.pid)
  if (mongo.length) found.push({ name: 'mongo', role: 'mongo', pids: mongo })
  const nginxMaster = cluster.edge.process.pid
  if (nginxMaster)
    found.push({ name: 'nginx', role: 'nginx', pids: [nginxMaster, ...descendants(nginxMaster, all).map((p) => p.pid)] })
  return found
}

export interface Usage {
  name: string
  role: ServerProcess['role']
  cpuMs: number
  rssKb: number
}

/**
 * Waits until the servers have been nearly idle (under `maxCpuPercent` of a core, all summed,
 * the shared MongoDB-wire server included: it may still be storing an earlier run's backlog) for
 * `windowMs`. Answers false if that did not happen within `timeoutMs` (others may be using the
 * shared server): the caller says so and goes on.
 */
export async function settle(
  processes: ServerProcess[],
  maxCpuPercent = 20,
  windowMs = 1000,
  timeoutMs = 60000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const before = snapshot(processes)
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const spent = usageBetween(processes, before, snapshot(processes)).reduce((sum, u) => sum + u.cpuMs, 0)
    if ((spent / windowMs) * 100 <= maxCpuPercent) return true
  }
  return false
}

export type Snapshot = Map<string, ProcSample[]>

export function snapshot(processes: ServerProcess[]): Snapshot {
  return new Map(processes.map((p) => [p.name, p.pids.map(sampleProcess).filter((s): s is ProcSample => s !== undefined)]))
}

/** CPU spent between two snapshots and RSS at the second, per process group. */
export function usageBetween(processes: ServerProcess[], before: Snapshot, after: Snapshot): Usage[] {
  return processes.map((p) => {
    const earlier = new Map((before.get(p.name) ?? []).map((s) => [s.pid, s.cpuMs]))
    const later = after.get(p.name) ?? []
    return {
      name: p.name,
      role: p.role,
      cpuMs: later.reduce((sum, s) => sum + s.cpuMs - (earlier.get(s.pid) ?? s.cpuMs), 0),
      rssKb: later.reduce((sum, s) => sum + s.rssKb, 0),
    }
  })
}
