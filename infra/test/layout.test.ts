/**
 * The layout's rules (DESIGN.md): arrows point down only, no file reaches into another package by a
 * relative path, and no module imports itself back through a cycle.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { ROOT } from '../src/paths.js'

const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.tsx', '*.mjs'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && existsSync(join(ROOT, file)))
const SPECIFIER = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function importsOf(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8')
  return [...source.matchAll(SPECIFIER)].map((match) => (match[1] ?? match[2]) as string)
}

/** The workspace package a file belongs to: its top folder (the root's own files: "root"). */
const packageOf = (file: string) =>
  existsSync(join(ROOT, file.split('/')[0] as string, 'package.json')) ? (file.split('/')[0] as string) : 'root'

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = normalize(join(dirname(from), specifier))
  const candidates = base.endsWith('.js') ? [`${base.slice(0, -3)}.ts`, `${base.slice(0, -3)}.tsx`, base] : [base, `${base}.ts`]
  return candidates.find((candidate) => existsSync(join(ROOT, candidate)))
}

/** What each package may import of ours (DESIGN.md's arrows). */
const MAY_IMPORT: Record<string, string[]> = {
  protocol: [],
  runtime: ['protocol'],
  store: ['protocol'],
  client: ['protocol'],
  api: ['protocol', 'runtime', 'store'],
  gateway: ['protocol', 'runtime', 'store'],
  web: ['protocol', 'client'],
}
/** A service's tests start real clusters through testkit. */
const SERVICE_TESTS_MAY_ALSO = ['testkit']

test('no relative import crosses a package boundary', () => {
  const crossing = files.flatMap((file) =>
    importsOf(file)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({ specifier, target: resolveRelative(file, specifier) }))
      .filter(({ target }) => target !== undefined && packageOf(target) !== packageOf(file))
      .map(({ specifier }) => `${file} imports ${specifier}`),
  )
  expect(crossing).toEqual([])
})

test('arrows point down only: services never import infra, loadtest or testkit', () => {
  const wrong = files.flatMap((file) => {
    const pkg = packageOf(file)
    const allowed = MAY_IMPORT[pkg]
    if (!allowed) return []
    const inTests = !file.includes('/src/')
    return importsOf(file)
      .filter((specifier) => specifier.startsWith('@hangout/'))
      .map((specifier) => specifier.split('/')[1] as string)
      .filter((target) => target !== pkg && !allowed.includes(target) && !(inTests && SERVICE_TESTS_MAY_ALSO.includes(target)))
      .map((target) => `${file} imports @hangout/${target}`)
  })
  expect(wrong).toEqual([])
})

test('the import graph has no cycles', () => {
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const targets = importsOf(file)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target): target is string => target !== undefined)
    graph.set(file, targets)
  }
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' → '))
      return
    }
    state.set(file, 'open')
    for (const next of graph.get(file) ?? []) visit(next, [...path, file])
    state.set(file, 'done')
  }
  for (const file of graph.keys()) visit(file, [])
  expect(cycles).toEqual([])
})
