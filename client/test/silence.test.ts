import { EventEmitter } from 'node:events'
import { watchSilence } from '../src/silence.js'

const SILENCE_MS = 300

describe('silence watch', () => {
  test('a server heard often is never silent; one that stops is reported once, and heard again at its next word', async () => {
    const source = new EventEmitter()
    const events: string[] = []
    let silentAt = 0
    let stop = () => {}
    const silent = new Promise<void>((resolve) => {
      stop = watchSilence(
        source,
        () => {
          silentAt = Date.now()
          events.push('silent')
          resolve()
        },
        () => events.push('heard'),
        SILENCE_MS,
      )
    })
    // Heard every 50 ms for 1 s: never silent.
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      source.emit('heartbeat')
    }
    expect(events).toEqual([])
    const lastHeard = Date.now()
    await silent
    expect(silentAt - lastHeard).toBeGreaterThanOrEqual(SILENCE_MS)
    expect(events).toEqual(['silent'])
    source.emit('heartbeat')
    expect(events).toEqual(['silent', 'heard'])
    stop()
  })

  test('stopping the watch lets go of the source', () => {
    const source = new EventEmitter()
    const stop = watchSilence(
      source,
      () => undefined,
      () => undefined,
    )
    expect(source.listenerCount('heartbeat')).toBe(1)
    stop()
    expect(source.listenerCount('heartbeat')).toBe(0)
  })
})
