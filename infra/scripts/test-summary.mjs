// Reads jest's JSON report and the extra checks' results; prints every suite's duration (slowest
// first, so a suite growing slow is seen before it turns flaky), the seeds the fuzzers ran with, and
// last the one line CI reads: `N passed, N failed`.
//   node infra/scripts/test-summary.mjs <jest-report.json> [--fuzz-log <file>] [name=exitcode ...]
import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'

const args = process.argv.slice(2)
const reportFile = args.shift()
let fuzzLog
const checks = []
while (args.length > 0) {
  const arg = args.shift()
  if (arg === '--fuzz-log') fuzzLog = args.shift()
  else checks.push(arg)
}

let passed = 0
let failed = 0
if (reportFile && existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites
  printDurations(report.testResults ?? [])
} else {
  console.log(`no jest report at ${reportFile}: jest did not finish`)
  failed += 1
}
if (fuzzLog && existsSync(fuzzLog)) printSeeds(fuzzLog)
for (const check of checks) {
  const [, code] = check.split('=')
  if (code === '0') passed += 1
  else failed += 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)

function printDurations(suites) {
  if (suites.length === 0) return
  const rows = suites
    .map((suite) => {
      const tests = suite.assertionResults ?? []
      const failures = tests.filter((test) => test.status === 'failed').length
      return {
        seconds: Math.max(0, suite.endTime - suite.startTime) / 1000,
        // A suite that could not run (its setup threw) has no failed test but did fail.
        status: suite.status === 'failed' ? 'FAIL' : 'PASS',
        file: relative(process.cwd(), suite.name),
        counts: failures > 0 ? `  (${failures} of ${tests.length} failed)` : '',
      }
    })
    .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file))
  const total = rows.reduce((sum, row) => sum + row.seconds, 0)
  const width = rows[0].seconds.toFixed(1).length
  console.log('== suite durations, slowest first')
  for (const row of rows) console.log(`${row.seconds.toFixed(1).padStart(width)} s  ${row.status}  ${row.file}${row.counts}`)
  console.log(`${total.toFixed(1)} s in ${rows.length} suites`)
}

function printSeeds(file) {
  const runs = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
  if (runs.length === 0) return
  console.log('== fuzz seeds (replay a suite: ./hangout test --replay <seed> <file>)')
  for (const run of runs.sort((a, b) => a.file.localeCompare(b.file))) {
    console.log(`${String(run.seed).padStart(11)}  ${run.file}  (${run.properties} properties, ${run.failed} failed)`)
  }
}
