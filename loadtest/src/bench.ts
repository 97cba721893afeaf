/**
 * The benchmarks, on a cluster started here on free ports (`./hangout bench [--quick]`).
 *
 *   affinity (default): `--compare affinity` below (--quick: 4 s windows): one 3-node cluster through
 *     the real nginx, its consistent room hash against round-robin; the ratio of gateway + Redis
 *     CPU per delivered event on the LAST line (target <= 0.5).
 *   --capacity: stepped search on 3 nodes and on 1, and the latency-vs-load chart in docs/.
 *   --idle-memory: gateway RSS per idle joined socket. --kill: presence convergence after a node is killed.
 *   --scenario NAME: one of join-storm, chat-fanout, co-browse, co-pointer, soak through the edge.
 *
 *   --compare join|broadcast|affinity|cluster|capacity [--window S (15)] [--pairs N (3)] [--case TEXT]:
 *     two systems under the same load, interleaved and pinned (loadtest/src/compare/run-comparison.ts);
 *     the medians, ranges and ratios on the last lines. See BENCHMARKS.md, "Trustworthy comparisons".
 *     --self (join, broadcast): A/A, one gateway against an identical twin: the bench's own noise.
 *       --twin DIR: the twin's gateway runs from DIR, another checkout (its own `pnpm install`): a
 *       change against the code before it, e.g. `git worktree add DIR HEAD~1`.
 * Knobs: --gateways N --rooms N --users-per-room N --rate R (per room) --duration S --workers N
 * --adapter sharded|classic|memory (the gateways' Socket.io adapter; memory: the single-server baseline), --store ferretdb-pg|sqlite (the chat store; default ferretdb-pg, the local default).
 * --versus KEY=VALUE (with --scenario): the scenario on a default cluster, then on a fresh one whose
 *   gateways have KEY=VALUE in their environment; prints both and their ratios.
 * Results go to loadtest/results/<name>-<time>.json.
 */
import { SCENARIOS, type ScenarioName } from '../k6/lib/plans.js'
import { capacity } from './bench/capacity.js'
import { compare } from './bench/compare.js'
import { idleMemory } from './bench/idle-memory.js'
import { values } from './bench/options.js'
import { presenceAfterKill } from './bench/presence-after-kill.js'
import { scenario } from './bench/scenario.js'

const chosen = values.scenario
if (chosen !== undefined && !(SCENARIOS as readonly string[]).includes(chosen)) {
  console.error(`--scenario must be one of ${SCENARIOS.join(', ')}`)
  process.exit(2)
}
const comparison = values.compare
const mode = comparison
  ? () => compare(comparison)
  : chosen
    ? () => scenario(chosen as ScenarioName)
    : values.capacity
      ? () => capacity()
      : values['idle-memory']
        ? idleMemory
        : values.kill
          ? presenceAfterKill
          : () => compare('affinity')
await mode().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`)
  process.exitCode = 1
})
