import { USER_COLOURS, userColor } from '../src/userColor.js'

describe('user colours', () => {
  test('a user’s colour is the same everywhere, one of the palette, and ids spread over all of it', () => {
    expect(userColor('6650e3f0a1')).toBe(userColor('6650e3f0a1'))
    const colours = Array.from({ length: 600 }, (_, i) => userColor(`user-${i}`))
    for (const colour of colours) expect(USER_COLOURS).toContain(colour)
    const counts = USER_COLOURS.map((colour) => colours.filter((c) => c === colour).length)
    // Each colour gets a fair share of 600 users (about 55).
    for (const count of counts) expect(count).toBeGreaterThan(25)
  })
})
