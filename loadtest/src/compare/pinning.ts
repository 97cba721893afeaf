/** Cores for the comparisons: the system under test on one, the load generator on another (taskset(1)). */
import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { descendants } from '../proc-stats.js'

export interface Cores {
  generator: number
  sut: number
}

/** cpu 0 for the generator (this process and the load workers it forks), cpu 1 for the servers; undefined on one core. */
export function chooseCores(cpus = availableParallelism()): Cores | undefined {
  return cpus >= 2 ? { generator: 0, sut: 1 } : undefined
}

/** Pins every thread of `pid` (taskset -a) to `cpu`; threads and children it starts later inherit it. */
export function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' })
}

/** The CPU list a process may run on, as taskset prints it (e.g. "1"). */
export function affinityOf(pid: number): string {
  const out = execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' })
  return out.slice(out.lastIndexOf(':') + 1).trim()
}

/**
 * Puts this process on the generator's core (the load workers forked later inherit it), then
 * every process it has started so far (the servers) on the system under test's core.
 * Answers the pids moved to the SUT core.
 */
export function pinServersAndGenerator(cores: Cores): number[] {
  pin(process.pid, cores.generator)
  const servers = descendants(process.pid).map((p) => p.pid)
  for (const pid of servers) {
    try {
      pin(pid, cores.sut)
    } catch {
      // It exited in between (a short-lived helper process): nothing to pin.
    }
  }
  return servers
}
