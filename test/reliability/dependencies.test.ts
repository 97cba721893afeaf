/**
 * Dependencies at versions with the known parser and transport CVEs fixed. `pnpm audit --prod`
 * needs the registry's audit endpoint (HANGOUT_AUDIT=1 runs it); the floors below hold offline,
 * checked against every installed copy in node_modules/.pnpm.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '@hangout/infra/paths'

/** package → first version with the fix, and why. */
const FLOORS: [string, string, string][] = [
  ['ws', '8.17.1', 'CVE-2024-37890: a request with many headers crashes the server'],
  ['socket.io-parser', '4.2.3', 'CVE-2023-32695: insufficient validation of decoded packets'],
  ['socket.io', '4.6.2', 'CVE-2024-38355: an unhandled error event crashes the process'],
  ['engine.io', '6.4.2', 'CVE-2023-31125: a crafted request crashes the server'],
  ['cookie', '0.7.0', 'CVE-2024-47764: out-of-bounds characters in cookie name/path/domain'],
  ['fastify', '5.3.2', 'CVE-2025-32442: content-type validation bypass'],
  ['fast-jwt', '5.0.6', 'CVE-2025-30144: iss claim validation bypass'],
  ['cross-spawn', '7.0.5', 'CVE-2024-21538: ReDoS'],
]

function installed(name: string): string[] {
  const prefix = `${name.replace('/', '+')}@`
  return readdirSync(join(ROOT, 'node_modules/.pnpm'))
    .filter((dir) => dir.startsWith(prefix))
    .map((dir) => (dir.slice(prefix.length).split('_')[0] ?? '').split('(')[0] ?? '')
}

function atLeast(version: string, floor: string): boolean {
  const [a, b] = [version, floor].map((v) => v.split('-')[0]?.split('.').map(Number) ?? [])
  for (let i = 0; i < 3; i++) {
    const [x, y] = [a?.[i] ?? 0, b?.[i] ?? 0]
    if (x !== y) return x > y
  }
  return true
}

test.each(FLOORS)('%s is at %s or later everywhere (%s)', (name, floor) => {
  const versions = installed(name)
  expect(versions.length).toBeGreaterThan(0)
  expect(versions.filter((v) => !atLeast(v, floor))).toEqual([])
})

const audit = process.env.HANGOUT_AUDIT ? test : test.skip
audit('pnpm audit --prod reports nothing (needs the registry audit endpoint)', () => {
  const out = execFileSync('pnpm', ['audit', '--prod', '--json'], { cwd: ROOT, encoding: 'utf8' })
  const { metadata } = JSON.parse(out) as { metadata: { vulnerabilities: Record<string, number> } }
  expect(metadata.vulnerabilities).toEqual({ info: 0, low: 0, moderate: 0, high: 0, critical: 0 })
})
