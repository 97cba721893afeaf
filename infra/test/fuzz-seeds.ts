/**
 * Runs before every test file (jest's setupFilesAfterEnv): every fast-check property of the file
 * draws from one seed, so that any run can be replayed.
 * - HANGOUT_FUZZ_SEED=<seed> replays a file's run; HANGOUT_FUZZ_PATH=<path> (with `-t <test>`) goes
 *   straight to one counterexample. `./hangout test --replay <seed>[:<path>] <file>` sets both.
 * - A failure's message ends with the command that replays it.
 * - HANGOUT_FUZZ_LOG=<file> (`./hangout test` sets it): each file that ran a property appends its
 *   seed there, one JSON line, and the test summary prints them.
 */
import { randomInt } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { relative } from 'node:path'
import fc from 'fast-check'
import { ROOT } from '../src/paths.js'

const SEED = /^-?\d{1,10}$/

function seedFromEnv(): number {
  const given = process.env.HANGOUT_FUZZ_SEED
  if (given === undefined || given === '') return randomInt(-(2 ** 31), 2 ** 31)
  if (!SEED.test(given)) throw new Error(`HANGOUT_FUZZ_SEED must be an integer, not ${JSON.stringify(given)}`)
  return Number(given)
}

const seed = seedFromEnv()
const path = process.env.HANGOUT_FUZZ_PATH || undefined
const file = relative(ROOT, expect.getState().testPath ?? '')
let properties = 0
let failed = 0

/** The shell command that replays this file's run, down to one counterexample when there is one. */
function replayCommand(runSeed: number, counterexample: string | null, test: string | undefined): string {
  const target = counterexample ? `${runSeed}:${counterexample}` : String(runSeed)
  const runs = process.env.HANGOUT_FUZZ_RUNS ? `HANGOUT_FUZZ_RUNS=${process.env.HANGOUT_FUZZ_RUNS} ` : ''
  // -t takes a pattern: the name's own punctuation is escaped, then the whole is quoted for the shell.
  const pattern = test?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const only = pattern ? ` -t '^${pattern.replaceAll("'", "'\\''")}$'` : ''
  return `${runs}./hangout test --replay ${target} ${file}${only}`
}

fc.configureGlobal({
  seed,
  ...(path ? { path } : {}),
  // Replaces fast-check's default reporter, which throws the same message without the replay line.
  reporter(details) {
    properties++
    if (!details.failed) return
    failed++
    const replay = replayCommand(details.seed, details.counterexamplePath, expect.getState().currentTestName)
    throw new Error(`${fc.defaultReportMessage(details)}\n\nReplay: ${replay}`, { cause: details.errorInstance })
  },
})

afterAll(() => {
  const log = process.env.HANGOUT_FUZZ_LOG
  if (log && properties > 0) appendFileSync(log, `${JSON.stringify({ file, seed, properties, failed })}\n`)
})
