import { activityPlan, parseLatencyText, latencyText, SCENARIO_DEFAULTS, SCENARIOS } from '../k6/lib/plans.js'
import { seatsFor } from '../src/fixture.js'
import { formatTable } from '../src/report.js'

test('tables align the first column left and numbers right', () => {
  expect(
    formatTable(
      ['what', 'n'],
      [
        ['alpha', 1.234],
        ['b', 1234.5],
      ],
    ),
  ).toBe(['what      n', '-----  ----', 'alpha  1.23', 'b      1235'].join('\n'))
})

test('latency-tagged chat texts round-trip, and other texts are not taken for them', () => {
  expect(parseLatencyText(latencyText('user-7', 1712345678901.25))).toEqual({ sender: 'user-7', sentAtMs: 1712345678901.25 })
  expect(parseLatencyText('hello there')).toBeUndefined()
  expect(parseLatencyText('lt user-7 soon')).toBeUndefined()
})

test('scenario plans stay within the gateway’s per-socket limits', () => {
  for (const name of SCENARIOS) {
    const plan = activityPlan(name, { usersPerRoom: 1, rate: 1000 })
    expect(plan.chatPerSec).toBeLessThanOrEqual(5)
    expect(plan.scrollPerSec).toBeLessThan(30)
    expect(plan.clickPerSec).toBeLessThan(10)
    expect(plan.pagePerSec).toBeLessThan(10)
    expect(plan.pointerPerSec ?? 0).toBeLessThan(60)
  }
  const chat = SCENARIO_DEFAULTS['chat-fanout']
  expect(activityPlan('chat-fanout', chat).chatPerSec * chat.usersPerRoom).toBeCloseTo(chat.rate)
})

test('seats deal users over rooms and number each room’s sockets', () => {
  const members = Array.from({ length: 7 }, (_, i) => ({ userId: `u${i}`, token: `t${i}` }))
  const seats = seatsFor(members, ['r1', 'r2', 'r3'], (room, k) => `${room}#${k}`)
  expect(seats.map((s) => s.url)).toEqual(['r1#0', 'r2#0', 'r3#0', 'r1#1', 'r2#1', 'r3#1', 'r1#2'])
  expect(seats[4]).toEqual({ user: 'u4', token: 't4', roomId: 'r2', url: 'r2#1' })
})
