import { machineTicks } from '../src/capacity.js'
import { niceCeil, renderChart } from '../src/chart.js'

test('draws every point of every series, the target line and the legend', () => {
  const svg = renderChart({
    title: 'a & b',
    xLabel: 'load',
    yLabel: 'ms',
    target: { value: 100, label: 'target' },
    series: [
      {
        label: '3 nodes p99',
        color: '#111111',
        points: [
          [1000, 50],
          [2000, 120],
          [3000, 900],
        ],
      },
      { label: '1 node p50', color: '#222222', dashed: true, points: [[1000, 5]] },
    ],
  })
  expect(svg.startsWith('<svg')).toBe(true)
  expect(svg).toContain('a &amp; b')
  expect(svg.match(/<circle [^>]*fill="#111111"/g)).toHaveLength(3)
  expect(svg.match(/<circle [^>]*fill="#222222"/g)).toHaveLength(1)
  expect(svg).toContain('>3 nodes p99<')
  expect(svg).toContain('>target<')
  // Log scale: decades from 1 to 1000 are labelled.
  for (const label of ['>1<', '>10<', '>100<', '>1000<']) expect(svg).toContain(label)
  expect(() => renderChart({ title: '', xLabel: '', yLabel: '', series: [] })).toThrow('no points')
})

test('rounds axis ends up to 1, 2 or 5 times a power of ten', () => {
  expect(niceCeil(3400)).toBe(5000)
  expect(niceCeil(1000)).toBe(1000)
  expect(niceCeil(1001)).toBe(2000)
  expect(niceCeil(0)).toBe(1)
})

test('reads busy and total ticks from /proc/stat', () => {
  expect(machineTicks('cpu  100 5 50 800 45 0 0 0 0 0\ncpu0 1 2 3 4 5\n')).toEqual({ busy: 155, total: 1000 })
  const now = machineTicks()
  expect(now.total).toBeGreaterThan(now.busy)
  expect(now.busy).toBeGreaterThan(0)
})
