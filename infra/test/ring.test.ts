import { buildRing, homeOf, keyHash, nextLive, POINTS_PER_WEIGHT, serverBaseBytes, serverPoints } from '@hangout/gateway/ring'

/** A bitwise CRC32 written apart from the ring's (which uses zlib), to check it against. */
function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

const three = [
  { id: 'n1', upstream: '127.0.0.1:3101' },
  { id: 'n2', upstream: '127.0.0.1:3102' },
  { id: 'n3', upstream: '127.0.0.1:3103' },
]
const rooms = Array.from({ length: 4000 }, (_, i) => `room-${i.toString(36)}-${(i * 7919) % 1000}`)

describe('ring', () => {
  test('keys hash with the standard CRC32', () => {
    expect(keyHash('123456789')).toBe(0xcbf43926)
    expect(keyHash('')).toBe(0)
  })

  test('server strings split as nginx splits them', () => {
    expect(serverBaseBytes('127.0.0.1:3101').toString('latin1')).toBe('127.0.0.1\u00003101')
    expect(serverBaseBytes('gateway-1:3000').toString('latin1')).toBe('gateway-1\u00003000')
    expect(serverBaseBytes('unix:/tmp/g.sock').toString('latin1')).toBe('/tmp/g.sock\u0000')
    expect(serverBaseBytes('[::1]:3101').toString('latin1')).toBe('[::1]\u00003101')
    expect(serverBaseBytes('gateway').toString('latin1')).toBe('gateway\u0000')
    expect(serverBaseBytes('host:8a').toString('latin1')).toBe('host:8a\u0000')
  })

  test('each point chains the previous hash as 4 little-endian bytes', () => {
    const points = serverPoints('127.0.0.1:3101', 2)
    expect(points).toHaveLength(2 * POINTS_PER_WEIGHT)
    const base = serverBaseBytes('127.0.0.1:3101')
    let prev = 0
    for (const point of points) {
      const prevBytes = Buffer.alloc(4)
      prevBytes.writeUInt32LE(prev, 0)
      expect(point).toBe(referenceCrc32(Buffer.concat([base, prevBytes])))
      prev = point
    }
  })

  test('a key goes to the first point at or after its hash, wrapping around', () => {
    const ring = buildRing(three)
    expect(ring.hashes.length).toBe(3 * POINTS_PER_WEIGHT)
    for (const room of rooms.slice(0, 500)) {
      const h = keyHash(room)
      let index = ring.hashes.findIndex((p) => p >= h)
      if (index === -1) index = 0
      expect(homeOf(ring, room)).toBe(ring.owners[index])
    }
  })

  test('rooms spread over every node, and adding a node moves about a quarter of them', () => {
    const ring3 = buildRing(three)
    const counts = new Map<string, number>()
    for (const room of rooms) counts.set(homeOf(ring3, room) ?? '', (counts.get(homeOf(ring3, room) ?? '') ?? 0) + 1)
    for (const node of three) expect(counts.get(node.id) ?? 0).toBeGreaterThan(rooms.length * 0.2)

    const ring4 = buildRing([...three, { id: 'n4', upstream: '127.0.0.1:3104' }])
    const moved = rooms.filter((room) => homeOf(ring3, room) !== homeOf(ring4, room))
    expect(moved.every((room) => homeOf(ring4, room) === 'n4')).toBe(true)
    expect(moved.length / rooms.length).toBeGreaterThan(0.15)
    expect(moved.length / rooms.length).toBeLessThan(0.35)
  })

  test('with a node down, the next live node is the home on the ring without it', () => {
    const full = buildRing(three)
    const without = buildRing(three.filter((s) => s.id !== 'n2'))
    for (const room of rooms) {
      const next = nextLive(full, room, (id) => id !== 'n2')
      expect(next).toBe(homeOf(without, room))
      if (homeOf(full, room) !== 'n2') expect(next).toBe(homeOf(full, room))
    }
    expect(nextLive(full, 'r', () => false)).toBeUndefined()
    expect(homeOf(buildRing([]), 'r')).toBeUndefined()
  })

  test('weights multiply points; bad input is refused', () => {
    expect(buildRing([{ id: 'a', upstream: 'a:1', weight: 3 }]).hashes.length).toBe(3 * POINTS_PER_WEIGHT)
    expect(() => buildRing([three[0]!, { ...three[1]!, id: 'n1' }])).toThrow('listed twice')
    expect(() => buildRing([{ id: 'a', upstream: 'a:1', weight: 0 }])).toThrow('positive integer')
  })
})
