import fc from 'fast-check'
import { roomColours, USER_COLOURS, userColor } from '../src/userColor.js'

/** WCAG 2 relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const c = Number.parseInt(hex.slice(at, at + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)
}
function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return ((high ?? 0) + 0.05) / ((low ?? 0) + 0.05)
}

describe('user colours', () => {
  test('a user’s colour is the same everywhere, one of the palette, and ids spread over all of it', () => {
    expect(userColor('6650e3f0a1')).toBe(userColor('6650e3f0a1'))
    const colours = Array.from({ length: 600 }, (_, i) => userColor(`user-${i}`))
    for (const colour of colours) expect(USER_COLOURS).toContain(colour)
    const counts = USER_COLOURS.map((colour) => colours.filter((c) => c === colour).length)
    // Each colour gets a fair share of 600 users (about 60).
    for (const count of counts) expect(count).toBeGreaterThan(25)
  })

  test('every colour reads at 4.5:1 or more as text on white and on the page backgrounds, and under white text', () => {
    // --surface, --bg and the catalog's card tint in styles.css.
    for (const background of ['#ffffff', '#f6f5fb', '#faf9ff'])
      for (const colour of USER_COLOURS)
        expect({ colour, background, ratio: contrast(colour, background) >= 4.5 }).toEqual({ colour, background, ratio: true })
  })

  test('the people of a room get distinct colours, the same on every client whatever order it knows them in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 20 }), (ids) => {
        const colours = roomColours(ids)
        const reversed = roomColours([...ids].reverse())
        for (const id of ids) expect(reversed.get(id)).toBe(colours.get(id))
        const used = ids.map((id) => colours.get(id))
        expect(new Set(used).size).toBe(Math.min(ids.length, USER_COLOURS.length))
      }),
    )
  })

  test('a pair that hashes alike is told apart; a person alone keeps their own colour', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `user-${i}`)
    const a = ids[0] ?? ''
    const b = ids.find((id) => id !== a && userColor(id) === userColor(a)) ?? ''
    expect(b).not.toBe('')
    const colours = roomColours([a, b])
    expect(colours.get(a)).not.toBe(colours.get(b))
    expect(roomColours([b]).get(b)).toBe(userColor(b))
  })
})
