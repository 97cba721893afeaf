import * as hdr from 'hdr-histogram-js'

/** Latencies are recorded in microseconds, from 1 µs to 10 minutes, at 3 significant digits. */
const MICROS_PER_MS = 1000
const HIGHEST_US = 600_000_000

export type LatencyHistogram = hdr.Histogram

export interface LatencySummary {
  count: number
  /** Milliseconds. */
  min: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
}

export function newLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  })
}

/** Records a latency given in milliseconds (fractions kept to the microsecond; below 1 µs counts as 1 µs). */
export function recordMs(histogram: LatencyHistogram, ms: number): void {
  histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * MICROS_PER_MS))))
}

export function summarize(histogram: LatencyHistogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / MICROS_PER_MS
  if (histogram.totalCount === 0) return { count: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 }
  return {
    count: histogram.totalCount,
    min: ms(histogram.minNonZeroValue),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
  }
}

/** A histogram as text, to cross a process boundary (worker → driver). */
export function encodeHistogram(histogram: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(histogram)
}

/** Adds encoded histograms (from workers) into one. */
export function mergeEncoded(encoded: string[]): LatencyHistogram {
  const total = newLatencyHistogram()
  for (const text of encoded) total.add(hdr.decodeFromCompressedBase64(text, 32))
  return total
}
