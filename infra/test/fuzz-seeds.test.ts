/**
 * The fuzzers' seeds, through a real jest over a fixture: a failing property names its seed, its
 * path and the command that replays it; every run's seed is logged; the seed gives back the very
 * same inputs, and seed plus path go straight to the counterexample.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../src/paths.js'

const FIXTURE = 'infra/test/fixtures/seeded-property.fuzz.ts'
const CONFIG = join(ROOT, 'infra/test/fixtures/jest.fuzz-fixture.config.js')
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fuzz-seeds-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Run {
  code: number | null
  output: string
  /** The values each property was given, in order. */
  values: Record<string, unknown[]>
}

let runs = 0
function jest(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Run> {
  const out = join(dir, `values-${++runs}.jsonl`)
  const child = spawn(
    process.execPath,
    ['--experimental-vm-modules', join(ROOT, 'node_modules/jest/bin/jest.js'), '--config', CONFIG, '--ci', ...args, FIXTURE],
    {
      cwd: ROOT,
      env: { ...process.env, HANGOUT_FUZZ_SEED: '', HANGOUT_FUZZ_PATH: '', HANGOUT_FUZZ_LOG: '', ...env, FUZZ_FIXTURE_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const values: Record<string, unknown[]> = {}
      let text = ''
      try {
        text = readFileSync(out, 'utf8')
      } catch {
        // No property ran.
      }
      for (const line of text.split('\n').filter(Boolean)) {
        const { property, value } = JSON.parse(line) as { property: string; value: unknown }
        values[property] = [...(values[property] ?? []), value]
      }
      resolve({ code, output, values })
    })
  })
}

test('a failure can be replayed from what the run printed and logged', async () => {
  const log = join(dir, 'seeds.jsonl')
  const first = await jest({ HANGOUT_FUZZ_LOG: log })
  expect(first.code).toBe(1)
  const replay = first.output.match(/Replay: \.\/hangout test --replay (-?\d+):([\d:]+) (\S+) -t '(.+)'/)
  if (!replay) throw new Error(`no replay line in:\n${first.output}`)
  const [, seed, path, file, pattern] = replay as unknown as [string, string, string, string, string]
  expect(file).toBe(FIXTURE)
  expect(first.output).toContain(`seed: ${seed}, path: "${path}"`)
  const logged = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(logged).toEqual([{ file: FIXTURE, seed: Number(seed), properties: 2, failed: 1 }])

  // The seed alone: every property is given the same values again, in the same order.
  const again = await jest({ HANGOUT_FUZZ_SEED: seed })
  expect(again.code).toBe(1)
  expect(again.values).toEqual(first.values)
  // ...which another seed does not give.
  const other = await jest({ HANGOUT_FUZZ_SEED: String(Number(seed) + 1) })
  expect(other.values.holds).not.toEqual(first.values.holds)

  // Seed and path, with the printed test filter: straight to the counterexample, and only that test.
  const counterexample = JSON.parse(first.output.match(/Counterexample: (\[.*\])/)?.[1] ?? 'null')
  const one = await jest({ HANGOUT_FUZZ_SEED: seed, HANGOUT_FUZZ_PATH: path }, ['-t', pattern])
  expect(one.code).toBe(1)
  expect(one.values.holds).toBeUndefined()
  expect(one.values.fails?.[0]).toEqual(counterexample)
  expect(one.output).toContain('Property failed after 1 tests')
}, 120_000)

test('./hangout refuses a replay target that is not a seed', async () => {
  const child = spawn(join(ROOT, 'hangout'), ['test', '--replay', 'abc', FIXTURE], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const [code] = await new Promise<[number | null]>((resolve) => child.once('close', (c) => resolve([c])))
  expect(code).toBe(2)
  expect(output).toContain('usage: ./hangout test --replay <seed>[:<path>]')
})
