import { encodeHistogram, mergeEncoded, newLatencyHistogram, recordMs, summarize } from '../src/histogram.js'

test('summarizes latencies in milliseconds at microsecond resolution', () => {
  const h = newLatencyHistogram()
  for (let i = 1; i <= 1000; i++) recordMs(h, i / 10) // 0.1 ms .. 100 ms
  const s = summarize(h)
  expect(s.count).toBe(1000)
  expect(s.min).toBeCloseTo(0.1, 3)
  expect(s.p50).toBeCloseTo(50, 0)
  expect(s.p90).toBeCloseTo(90, 0)
  expect(s.p99).toBeCloseTo(99, 0)
  expect(s.max).toBeCloseTo(100, 0)
  expect(s.mean).toBeCloseTo(50.05, 0)
})

test('an empty histogram summarizes to zeros', () => {
  expect(summarize(newLatencyHistogram())).toEqual({ count: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 })
})

test('histograms encoded by workers merge into the same distribution', () => {
  const a = newLatencyHistogram()
  const b = newLatencyHistogram()
  const all = newLatencyHistogram()
  for (let i = 0; i < 500; i++) {
    const x = 1 + ((i * 37) % 250)
    recordMs(i % 2 ? a : b, x)
    recordMs(all, x)
  }
  recordMs(b, 5000)
  recordMs(all, 5000)
  const { max: mergedMax, ...merged } = summarize(mergeEncoded([encodeHistogram(a), encodeHistogram(b)]))
  const { max, ...direct } = summarize(all)
  expect(merged).toEqual(direct)
  // A merged maximum is its bucket's highest equivalent value: equal within the 3 significant digits.
  expect(Math.abs(mergedMax - max) / max).toBeLessThan(0.001)
})
