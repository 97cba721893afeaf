/**
 * The built app's JavaScript: what it weighs, and that TypeBox's compiler and type engine stay out
 * of it (the app validates by interpretation; the CSP forbids the compiler's eval anyway).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { decode } from '@jridgewell/sourcemap-codec'
import { buildWeb } from '@hangout/testkit/browser'

/** The app's JavaScript after gzip; it was 64.9 KB before the protocol's unused schemas were dropped. */
const GZIP_BUDGET = 52 * 1024

/** Bytes of generated code per source file, from the source map's mappings. */
function bytesBySource(code: string, map: { sources: string[]; mappings: string }): Map<string, number> {
  const lines = code.split('\n')
  const sizes = new Map<string, number>()
  decode(map.mappings).forEach((segments, line) => {
    const length = lines[line]?.length ?? 0
    segments.forEach((segment, index) => {
      const source = segment[1] === undefined ? '(none)' : (map.sources[segment[1]] ?? '(none)')
      const end = segments[index + 1]?.[0] ?? length
      sizes.set(source, (sizes.get(source) ?? 0) + end - segment[0])
    })
  })
  return sizes
}

let web: Awaited<ReturnType<typeof buildWeb>>
let code = ''
let sizes = new Map<string, number>()

beforeAll(async () => {
  web = await buildWeb()
  const assets = join(web.dir, 'assets')
  const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'))
  expect(scripts).toHaveLength(1)
  const script = join(assets, scripts[0] ?? '')
  code = readFileSync(script, 'utf8')
  sizes = bytesBySource(code, JSON.parse(readFileSync(`${script}.map`, 'utf8')))
}, 120000)

afterAll(() => web?.remove())

const typebox = (part: string) =>
  [...sizes].filter(([source]) => source.includes(`/typebox/build/${part}`)).reduce((sum, [, bytes]) => sum + bytes, 0)

describe('the web bundle', () => {
  test('the source map accounts for the code (the measure below means something)', () => {
    const mapped = [...sizes.values()].reduce((sum, bytes) => sum + bytes, 0)
    expect(mapped).toBeGreaterThan(code.length * 0.9)
    expect(typebox('schema/engine')).toBeGreaterThan(5000)
  })

  test('holds no TypeBox compiler and next to nothing of its type engine', () => {
    console.info(
      `web bundle: ${code.length} B, ${gzipSync(code).length} B gzip; TypeBox ${typebox('')} B ` +
        `(compile ${typebox('compile/')}, type/engine ${typebox('type/engine/')}, schema ${typebox('schema/')})`,
    )
    expect(typebox('compile/')).toBe(0)
    expect(typebox('schema/build')).toBe(0)
    expect(typebox('type/engine/')).toBeLessThan(1024)
    expect(typebox('type/extends/')).toBeLessThan(1024)
  })

  test(`stays within ${GZIP_BUDGET / 1024} KB of gzipped JavaScript`, () => {
    expect(gzipSync(code).length).toBeLessThan(GZIP_BUDGET)
  })
})
