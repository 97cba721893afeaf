import { readFileSync } from 'node:fs'
import { clockTicksPerSecond, descendants, listProcesses, parseStat, parseStatus, sampleProcess } from '../src/proc-stats.js'

test('parses this process’s real /proc/self/stat', () => {
  const stat = parseStat(readFileSync('/proc/self/stat', 'utf8'))
  expect(stat.pid).toBe(process.pid)
  expect(stat.ppid).toBe(process.ppid)
  expect(stat.comm.length).toBeGreaterThan(0)
  expect(stat.utimeTicks + stat.stimeTicks).toBeGreaterThan(0)
})

test('a command name with spaces and parentheses does not shift the fields', () => {
  const line = '4242 (a (b) c) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 1 0 12345 1000 200'
  expect(parseStat(line)).toEqual({ pid: 4242, comm: 'a (b) c', state: 'S', ppid: 17, utimeTicks: 250, stimeTicks: 75 })
  expect(() => parseStat('garbage')).toThrow(/not a \/proc stat line/)
})

test('parses RSS from the real /proc/self/status, matching what Node reports', () => {
  const memory = parseStatus(readFileSync('/proc/self/status', 'utf8'))
  const nodeRssKb = process.memoryUsage.rss() / 1024
  expect(memory.rssKb).toBeGreaterThan(nodeRssKb * 0.8)
  expect(memory.rssKb).toBeLessThan(nodeRssKb * 1.2)
  expect(memory.peakRssKb).toBeGreaterThanOrEqual(memory.rssKb)
  expect(() => parseStatus('Name: x\n')).toThrow(/VmRSS/)
})

test('CPU time grows with work done, and agrees with process.cpuUsage', () => {
  const before = sampleProcess(process.pid)
  const cpuBefore = process.cpuUsage()
  let spin = 0
  // Spin until Node itself counts 200 ms of CPU (wall time would depend on what else the machine runs).
  while (process.cpuUsage(cpuBefore).user < 200_000) spin++
  const after = sampleProcess(process.pid)
  const used = process.cpuUsage(cpuBefore)
  expect(spin).toBeGreaterThan(0)
  const measuredMs = (after?.cpuMs ?? 0) - (before?.cpuMs ?? 0)
  const nodeMs = (used.user + used.system) / 1000
  // /proc counts in clock ticks (10 ms at USER_HZ 100): allow two ticks either way.
  const tickMs = 1000 / clockTicksPerSecond()
  expect(Math.abs(measuredMs - nodeMs)).toBeLessThanOrEqual(2 * tickMs + 5)
  expect(measuredMs).toBeGreaterThanOrEqual(200 - 2 * tickMs)
})

test('a process that is gone samples as undefined', () => {
  const pids = new Set(listProcesses().map((p) => p.pid))
  let missing = 4_000_000
  while (pids.has(missing)) missing--
  expect(sampleProcess(missing)).toBeUndefined()
})

test('finds its own descendants among the real processes', () => {
  const all = listProcesses()
  const me = all.find((p) => p.pid === process.pid)
  expect(me?.cmdline).toContain('node')
  expect(descendants(process.ppid, all).map((p) => p.pid)).toContain(process.pid)
  // Fake tree: 1 → 2 → 3, 1 → 4, 5 alone.
  const tree = [
    { pid: 2, ppid: 1, cmdline: 'a' },
    { pid: 3, ppid: 2, cmdline: 'b' },
    { pid: 4, ppid: 1, cmdline: 'c' },
    { pid: 5, ppid: 9, cmdline: 'd' },
  ]
  expect(
    descendants(1, tree)
      .map((p) => p.pid)
      .sort(),
  ).toEqual([2, 3, 4])
})
