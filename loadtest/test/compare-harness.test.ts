import { emptyCounts } from '../src/room-users.js'
import { abbaOrder, pairRatios, spread, tallyOf, tallyProblems } from '../src/compare/harness.js'
import { chooseCores } from '../src/compare/pinning.js'

const idle = { chatPerSec: 0, scrollPerSec: 0, clickPerSec: 0, pagePerSec: 0, warmupMs: 0 }

test('arms run a warm-up of each, then pairs alternating A B, B A', () => {
  const order = abbaOrder(3)
  expect(order.map((s) => `${s.warmup ? 'w' : ''}${s.kind}`).join(' ')).toBe('wA wB A B B A A B')
  expect(order.filter((s) => !s.warmup).map((s) => s.pair)).toEqual([0, 0, 1, 1, 2, 2])
  // Each measured kind once per pair.
  for (const pair of [0, 1, 2])
    expect(
      order
        .filter((s) => s.pair === pair)
        .map((s) => s.kind)
        .sort(),
    ).toEqual(['A', 'B'])
  expect(
    abbaOrder(2, false)
      .map((s) => s.kind)
      .join(' '),
  ).toBe('A B B A')
  expect(() => abbaOrder(0)).toThrow(/positive integer/)
  expect(() => abbaOrder(1.5)).toThrow(/positive integer/)
})

test('median and range: odd and even counts, order ignored, NaN refused', () => {
  expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 })
  expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 })
  expect(spread([7])).toEqual({ median: 7, min: 7, max: 7, n: 1 })
  expect(() => spread([])).toThrow(/no values/)
  expect(() => spread([1, Number.NaN])).toThrow(/NaN/)
  expect(pairRatios([2, 9], [1, 3])).toEqual([2, 3])
  expect(() => pairRatios([1], [1, 2])).toThrow(/1 A arms against 2 B arms/)
})

test('the tally owes room size deliveries per chat message and one fewer per click (the sender excluded)', () => {
  const counts = emptyCounts()
  counts.sent = { message: 10, click_event: 20 }
  counts.acked = { message: 10, click_event: 20 }
  counts.delivered = { message: 60, user_clicked: 100 }
  const tally = tallyOf(counts, { plan: { ...idle, chatPerSec: 0.5, clickPerSec: 1 }, windowMs: 4000, roomSize: 6 }, 5)
  expect(tally).toEqual({ planned: 30, sent: 30, acked: 30, delivered: 160, expectedDeliveries: 160 })
  expect(tallyProblems(tally)).toEqual([])
})

test('the check names a generator that fell behind, missing acks and lost or extra deliveries', () => {
  const ok = { planned: 1000, sent: 1000, acked: 1000, delivered: 5000, expectedDeliveries: 5000 }
  expect(tallyProblems({ ...ok, sent: 960, acked: 960 })).toEqual([])
  expect(tallyProblems({ ...ok, sent: 900, acked: 900 })).toEqual(['sent 900 events, planned 1000 (off by more than 5 %)'])
  expect(tallyProblems({ ...ok, acked: 990 })).toEqual(['10 of 1000 events not acked'])
  expect(tallyProblems({ ...ok, delivered: 4999 })).toEqual(['delivered 4999, the acked broadcasts owe 5000'])
  expect(tallyProblems({ ...ok, delivered: 5001 })).toEqual(['delivered 5001, the acked broadcasts owe 5000'])
})

test('cores: the generator on cpu 0 and the servers on cpu 1 from two cores up, nothing pinned on one', () => {
  expect(chooseCores(1)).toBeUndefined()
  expect(chooseCores(2)).toEqual({ generator: 0, sut: 1 })
  expect(chooseCores(8)).toEqual({ generator: 0, sut: 1 })
})
