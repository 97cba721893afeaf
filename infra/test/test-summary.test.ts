/**
 * The summary CI ends with: every suite's duration, slowest first, the fuzzers' seeds, and last
 * the line `N passed, N failed`, with a non-zero exit on any failure. Run as CI runs it, on a report
 * in jest's --json shape.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../src/paths.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hangout-summary-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function summary(args: string[]): Promise<{ code: number; lines: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'infra/scripts/test-summary.mjs'), ...args], { cwd: ROOT }, (err, stdout) => {
      resolve({ code: err ? Number(err.code) : 0, lines: stdout.trimEnd().split('\n') })
    })
  })
}

const suite = (
  file: string,
  seconds: number,
  statuses: string[],
  status = statuses.includes('failed') ? 'failed' : 'passed',
) => ({
  name: join(ROOT, file),
  startTime: 1_000_000,
  endTime: 1_000_000 + seconds * 1000,
  status,
  assertionResults: statuses.map((s, i) => ({ title: `t${i}`, status: s })),
})

function report(suites: ReturnType<typeof suite>[], runtimeErrors = 0): string {
  const tests = suites.flatMap((s) => s.assertionResults)
  const file = join(dir, `report-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(
    file,
    JSON.stringify({
      numPassedTests: tests.filter((t) => t.status === 'passed').length,
      numFailedTests: tests.filter((t) => t.status === 'failed').length,
      numRuntimeErrorTestSuites: runtimeErrors,
      testResults: suites,
    }),
  )
  return file
}

test('durations slowest first, failures marked, seeds listed, and the count line last', async () => {
  const file = report([
    suite('web/test/routes.test.ts', 0.4, ['passed', 'passed']),
    suite('web/test/e2e/room.test.ts', 307.2, ['passed', 'failed', 'failed']),
    suite('test/reliability/hostile-input.test.ts', 74.3, ['passed']),
  ])
  const log = join(dir, 'seeds.jsonl')
  writeFileSync(
    log,
    `${JSON.stringify({ file: 'test/reliability/hostile-input.test.ts', seed: -288221987, properties: 9, failed: 0 })}\n`,
  )
  const { code, lines } = await summary([file, '--fuzz-log', log, 'typecheck=0', 'lint=0'])
  expect(code).toBe(1)
  const durations = lines.slice(
    lines.indexOf('== suite durations, slowest first') + 1,
    lines.indexOf('== suite durations, slowest first') + 4,
  )
  expect(durations.map((line) => line.trim().split(/\s+/)[0])).toEqual(['307.2', '74.3', '0.4'])
  expect(durations[0]).toMatch(/FAIL {2}web\/test\/e2e\/room\.test\.ts {2}\(2 of 3 failed\)$/)
  expect(durations[2]).toMatch(/PASS {2}web\/test\/routes\.test\.ts$/)
  expect(lines).toContain('381.9 s in 3 suites')
  expect(lines.some((line) => /-288221987 {2}test\/reliability\/hostile-input\.test\.ts/.test(line))).toBe(true)
  expect(lines.at(-1)).toBe('6 passed, 2 failed')
})

test('all green exits 0; a failed check, a suite that could not run or a missing report does not', async () => {
  const green = report([suite('a/test/x.test.ts', 1, ['passed'])])
  expect(await summary([green, 'typecheck=0', 'lint=0'])).toMatchObject({
    code: 0,
    lines: expect.arrayContaining(['3 passed, 0 failed']),
  })
  expect((await summary([green, 'typecheck=2', 'lint=0'])).lines.at(-1)).toBe('2 passed, 1 failed')
  const broken = report([suite('a/test/y.test.ts', 2, [], 'failed')], 1)
  const run = await summary([broken, 'typecheck=0'])
  expect(run.code).toBe(1)
  expect(run.lines.at(-1)).toBe('1 passed, 1 failed')
  expect(run.lines.some((line) => /FAIL {2}a\/test\/y\.test\.ts/.test(line))).toBe(true)
  const missing = await summary([join(dir, 'none.json'), 'typecheck=0', 'lint=0'])
  expect(missing).toMatchObject({ code: 1 })
  expect(missing.lines.at(-1)).toBe('2 passed, 1 failed')
})
