// Reads jest's JSON report and the extra checks' results; prints the one line CI reads.
import { readFileSync, existsSync } from 'node:fs'

const [reportFile, ...checks] = process.argv.slice(2)
let passed = 0
let failed = 0
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites
} else {
  failed += 1
}
for (const check of checks) {
  const [, code] = check.split('=')
  if (code === '0') passed += 1
  else failed += 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
