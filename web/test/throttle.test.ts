import { type Clock, throttle } from '../src/throttle.js'

/** A clock whose time moves only when the test says so, with the timers due by then run in order. */
function steppedClock() {
  let now = 0
  let timers: { at: number; run: () => void; id: number }[] = []
  let nextId = 1
  const clock: Clock = {
    now: () => now,
    setTimeout(run, ms) {
      const id = nextId++
      timers.push({ at: now + ms, run, id })
      return id
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer.id !== handle)
    },
  }
  const advance = (ms: number) => {
    const until = now + ms
    for (;;) {
      const due = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      timers = timers.filter((timer) => timer !== due)
      now = due.at
      due.run()
    }
    now = until
  }
  return { clock, advance }
}

describe('throttle', () => {
  test('a burst goes out at most once per interval, and its last value always goes out', () => {
    const { clock, advance } = steppedClock()
    const sent: [number, number][] = []
    const send = throttle((value: number) => sent.push([clock.now(), value]), 50, clock)
    // 1000 ms of scrolling, an event every 5 ms (faster than any screen).
    for (let t = 0; t < 1000; t += 5) {
      send(t)
      advance(5)
    }
    advance(100)
    expect(sent.length).toBeLessThanOrEqual(21)
    expect(sent.length).toBeGreaterThanOrEqual(19)
    for (let i = 1; i < sent.length; i++) expect(sent[i]![0] - sent[i - 1]![0]).toBeGreaterThanOrEqual(50)
    expect(sent.at(-1)![1]).toBe(995)
  })

  test('a lone call goes out at once; cancel drops the pending trailing value', () => {
    const { clock, advance } = steppedClock()
    const sent: string[] = []
    const send = throttle((value: string) => sent.push(value), 50, clock)
    send('first')
    expect(sent).toEqual(['first'])
    send('second')
    send('third')
    send.cancel()
    advance(200)
    expect(sent).toEqual(['first'])
    send('fourth')
    expect(sent).toEqual(['first', 'fourth'])
  })

  test('with real timers, 300 calls over about a second give at most about 20 a second', async () => {
    const sent: number[] = []
    const send = throttle((value: number) => sent.push(value), 50)
    const started = Date.now()
    for (let i = 0; i < 300; i++) {
      send(i)
      await new Promise((resolve) => setTimeout(resolve, 3))
    }
    await new Promise((resolve) => setTimeout(resolve, 80))
    const seconds = (Date.now() - started) / 1000
    expect(sent.length).toBeLessThanOrEqual(Math.ceil(seconds * 20) + 1)
    expect(sent.at(-1)).toBe(299)
  })
})
