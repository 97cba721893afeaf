import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from './paths.js'

/** Where the local cluster's supervisor leaves word of itself for `stop`, `status` and `scale`. */
export const RUN_DIR = join(DATA_DIR, 'run')
export const STATE_FILE = join(RUN_DIR, 'cluster.json')
export const CONTROL_SOCKET = join(RUN_DIR, 'control.sock')

export interface LocalClusterState {
  /** The supervisor's pid. */
  pid: number
  url: string
  startedAt: string
  api: { port: number; pid?: number }
  edge: { port: number; pid?: number }
  gateways: { index: number; nodeId: string; port: number; pid?: number; running: boolean }[]
  /** The Redis Cluster of `up --redis-cluster N`: its nodes (masters first, as created). */
  redisCluster?: { nodes: { port: number; pid?: number }[] }
}

export function writeState(state: LocalClusterState): void {
  mkdirSync(RUN_DIR, { recursive: true })
  const temporary = `${STATE_FILE}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(temporary, STATE_FILE)
}

/** The state of a supervisor that is still alive; a stale file (its pid gone) is removed. */
export function readLiveState(): LocalClusterState | undefined {
  if (!existsSync(STATE_FILE)) return undefined
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as LocalClusterState
  if (pidAlive(state.pid)) return state
  clearState()
  return undefined
}

export function clearState(): void {
  rmSync(STATE_FILE, { force: true })
  rmSync(CONTROL_SOCKET, { force: true })
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
