import { breakdown, type ProfileBreakdown, readProfilesOf, sumBreakdowns } from '../cpu-profile.js'
import type { MeasuredRun } from '../measured-run.js'
import { formatNumber, formatTable } from '../report.js'

/** The gateways' main threads over the run's active window and its join phase. */
export function profileOf(
  dir: string,
  run: MeasuredRun,
): { active: ProfileBreakdown; join: ProfileBreakdown; missing: number[] } {
  const found = run.gatewayPids.map((pid) => ({ pid, profiles: readProfilesOf(dir, pid) }))
  const present = found.flatMap((f) => f.profiles)
  return {
    active: sumBreakdowns(present.map((p) => breakdown(p, ...run.activeWindowUs))),
    join: sumBreakdowns(present.map((p) => breakdown(p, ...run.joinWindowUs))),
    missing: found.filter((f) => f.profiles.length === 0).map((f) => f.pid),
  }
}

export function printProfile(run: MeasuredRun, profile: ReturnType<typeof profileOf>): void {
  const delivered = run.delivered
  console.log(`\n== CPU profile, gateways' main threads, ${run.label}`)
  if (profile.missing.length) console.log(`(no profile from gateway pids ${profile.missing.join(', ')})`)
  console.log(
    `active window: ${formatNumber(profile.active.busyMs)} ms busy for ${delivered} deliveries; join phase: ${formatNumber(profile.join.busyMs)} ms for ${run.counts.joined} joins`,
  )
  console.log(
    formatTable(
      ['part (active window)', 'ms', 'µs / delivery', 'share %'],
      profile.active.parts.map(([part, ms]) => [part, ms, (ms * 1000) / delivered, (ms / profile.active.busyMs) * 100]),
    ),
  )
  console.log(formatTable(['busiest functions (self, active window)', 'ms'], profile.active.topFunctions))
  console.log(
    formatTable(
      ['part (join phase)', 'ms', 'µs / join'],
      profile.join.parts.slice(0, 10).map(([part, ms]) => [part, ms, (ms * 1000) / run.counts.joined]),
    ),
  )
  console.log(formatTable(['busiest functions (self, join phase)', 'ms'], profile.join.topFunctions))
}
