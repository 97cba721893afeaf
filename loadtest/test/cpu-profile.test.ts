import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, TSX_IMPORT } from '@hangout/infra/paths'
import { breakdown, type CpuProfile, cpuProfEnv, packageOf, readProfilesOf } from '../src/cpu-profile.js'

const dir = mkdtempSync(join(tmpdir(), 'hangout-prof-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Busy with JSON for a while, then idle for 300 ms.
const BUSY_THEN_IDLE = `
const until = Date.now() + 400
let n = 0
while (Date.now() < until) n += JSON.stringify({ n, text: 'x'.repeat(200) }).length
setTimeout(() => {}, 300)
`

test('bills a real profile: the busy script found, idle left out, cut to a window', () => {
  const out = join(dir, 'plain')
  execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${out}`, '-e', BUSY_THEN_IDLE])
  const [file] = readdirSync(out)
  const profile = JSON.parse(readFileSync(join(out, file as string), 'utf8')) as CpuProfile
  const whole = breakdown(profile)
  const spanMs = (profile.endTime - profile.startTime) / 1000
  expect(whole.busyMs).toBeGreaterThan(50)
  // The idle 300 ms are not billed.
  expect(whole.busyMs).toBeLessThan(spanMs - 150)
  // The loop (JSON.stringify is a builtin: billed to its caller, the eval'd script) is the biggest part.
  expect(whole.parts[0]?.[0]).toBe('other')
  expect(whole.topFunctions[0]?.[0]).toBe('(anonymous) (other)')
  expect(whole.parts.reduce((sum, [, ms]) => sum + ms, 0)).toBeCloseTo(whole.busyMs, 3)
  // A window before the profile began holds nothing.
  expect(breakdown(profile, 0, profile.startTime - 1).busyMs).toBe(0)
})

test('the preloaded hook profiles a gateway process only, writing on SIGWINCH and at exit', () => {
  const out = join(dir, 'hook')
  mkdirSync(out)
  const fakeGatewayDir = join(dir, 'gateway', 'src')
  mkdirSync(fakeGatewayDir, { recursive: true })
  const main = join(fakeGatewayDir, 'main.ts')
  writeFileSync(main, `${BUSY_THEN_IDLE}\nprocess.kill(process.pid, 'SIGWINCH')\n`)
  const other = join(dir, 'other.ts')
  writeFileSync(other, BUSY_THEN_IDLE)
  const env = { ...process.env, ...cpuProfEnv(out) }
  execFileSync(process.execPath, [...TSX_IMPORT, other], { env, cwd: ROOT })
  expect(readdirSync(out)).toEqual([])
  execFileSync(process.execPath, [...TSX_IMPORT, main], { env, cwd: ROOT })
  const written = readdirSync(out)
  expect(written).toHaveLength(2)
  const pid = Number(written[0]?.split('.')[1])
  const profiles = readProfilesOf(out, pid)
  expect(profiles).toHaveLength(2)
  expect(profiles.reduce((sum, p) => sum + breakdown(p).busyMs, 0)).toBeGreaterThan(50)
})

test('names packages from script URLs', () => {
  expect(packageOf('file:///w/node_modules/.pnpm/ioredis@5/node_modules/ioredis/built/Redis.js')).toBe('ioredis')
  expect(packageOf('file:///w/node_modules/.pnpm/x/node_modules/@socket.io/redis-adapter/dist/index.js')).toBe(
    '@socket.io/redis-adapter',
  )
  expect(packageOf('node:internal/stream_base_commons')).toBe('node net/streams')
  expect(packageOf('file:///work/main/gateway/src/chat.ts')).toBe('gateway/src')
  expect(packageOf('')).toBe('')
})
