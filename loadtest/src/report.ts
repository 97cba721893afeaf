/** Tables for the terminal and JSON files under loadtest/results/. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '@hangout/infra/paths'
import type { LatencySummary } from './histogram.js'

export const RESULTS_DIR = join(ROOT, 'loadtest/results')

/** Left-aligned first column, right-aligned numbers. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)))]
  const widths = header.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)))
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n')
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return String(value)
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3)
}

export const LATENCY_HEADER = ['latency (ms)', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max']

export function latencyRow(name: string, s: LatencySummary): (string | number)[] {
  return [name, s.count, s.p50, s.p90, s.p99, s.p999, s.max]
}

/** Writes `<name>-<timestamp>.json` and returns its path. */
export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, `${name}-${new Date().toISOString().replaceAll(':', '-').replace(/\..*$/, '')}.json`)
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`)
  return file
}
