import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '@hangout/infra/paths'

const run = promisify(execFile)
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')
const K6_DIR = join(ROOT, 'loadtest/k6')

async function tsc(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, '-p', project], { cwd: ROOT })
    return { code: 0, output: stdout }
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string }
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` }
  }
}

// One test running both compilations at once: each takes seconds of CPU.
test('the k6 scenarios type-check against @types/k6 and @hangout/protocol, and a contract break is reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k6-typecheck-'))
  try {
    writeFileSync(
      join(dir, 'bad.ts'),
      [
        `import type { MessagePayload } from '${join(ROOT, 'protocol/src/index.ts')}'`,
        `import { ClientEvent } from '${join(K6_DIR, 'lib/contract.ts')}'`,
        `const payload: MessagePayload = { roomId: 'r', text: 'hi', extra: true }`,
        `const name: 'chat' = ClientEvent.message`,
        'export { payload, name }',
      ].join('\n'),
    )
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(K6_DIR, 'tsconfig.json'),
        compilerOptions: { typeRoots: [join(ROOT, 'loadtest/node_modules/@types')] },
        include: [join(dir, 'bad.ts')],
      }),
    )
    const [good, { code, output }] = await Promise.all([tsc(join(K6_DIR, 'tsconfig.json')), tsc(join(dir, 'tsconfig.json'))])
    expect(good).toEqual({ code: 0, output: '' })
    expect(code).not.toBe(0)
    expect(output).toMatch(/bad\.ts\(3,.*'extra'/)
    expect(output).toMatch(/bad\.ts\(4,.*'"message"' is not assignable to type '"chat"'/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 120000)

test('k6 scripts import at run time only k6 modules and local .ts files (types may come from anywhere)', () => {
  const files = ['lib', 'scenarios'].flatMap((dir) => readdirSync(join(K6_DIR, dir)).map((name) => join(K6_DIR, dir, name)))
  expect(files.length).toBeGreaterThanOrEqual(10)
  const runtimeImports = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)].map((m) => ({
      file,
      from: m[1] as string,
    })),
  )
  expect(runtimeImports.length).toBeGreaterThan(10)
  const allowed = (from: string) => /^k6(\/|$)/.test(from) || (/^\.\.?\//.test(from) && from.endsWith('.ts'))
  expect(runtimeImports.filter(({ from }) => !allowed(from))).toEqual([])
})
