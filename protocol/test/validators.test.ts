import { clientPayloadValidators as v, restValidators as rest } from '../src/index.js'

describe('socket payload validators', () => {
  test('accept the contract payloads', () => {
    expect(v.join_room.check({ roomId: 'abc_DEF-123' }).ok).toBe(true)
    expect(v.message.check({ roomId: 'r1', text: '  hi  ' }).ok).toBe(true)
    expect(v.click_event.check({ roomId: 'r1', productId: 20 }).ok).toBe(true)
    expect(v.scroll_update.check({ roomId: 'r1', top: 0.5 }).ok).toBe(true)
    expect(v.page_change.check({ roomId: 'r1', page: 3 }).ok).toBe(true)
  })

  test.each([
    ['join_room', { roomId: 'has space' }],
    ['join_room', { roomId: '' }],
    ['join_room', { roomId: { $gt: '' } }],
    ['join_room', null],
    ['join_room', 'r1'],
    ['leave_room', { roomId: 'r1', extra: 1 }],
    ['message', { roomId: 'r1', text: '   ' }],
    ['message', { roomId: 'r1', text: 'x'.repeat(2001) }],
    ['message', { roomId: 'r1', text: 42 }],
    ['click_event', { roomId: 'r1', productId: 0 }],
    ['click_event', { roomId: 'r1', productId: 21 }],
    ['click_event', { roomId: 'r1', productId: 1.5 }],
    ['click_event', { roomId: 'r1', productId: '3' }],
    ['scroll_update', { roomId: 'r1', top: 1.01 }],
    ['scroll_update', { roomId: 'r1', top: -0.1 }],
    ['scroll_update', { roomId: 'r1', top: Number.NaN }],
    ['page_change', { roomId: 'r1', page: 4 }],
    ['page_change', { roomId: 'r1' }],
  ] as const)('refuse %s (case %#)', (event, payload) => {
    const result = v[event].check(payload)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message.length).toBeGreaterThan(3)
  })

  test('a message of 2000 characters after trimming passes, padding aside', () => {
    expect(v.message.check({ roomId: 'r', text: `  ${'x'.repeat(2000)}  ` }).ok).toBe(true)
  })
})

describe('REST body validators', () => {
  test('register', () => {
    expect(rest.register.check({ name: 'Ann', email: 'ann@example.com', password: 'hunter22!' }).ok).toBe(true)
    expect(rest.register.check({ name: ' ', email: 'ann@example.com', password: 'hunter22!' }).ok).toBe(false)
    expect(rest.register.check({ name: 'x'.repeat(41), email: 'ann@example.com', password: 'hunter22!' }).ok).toBe(false)
    expect(rest.register.check({ name: 'Ann', email: 'not-an-email', password: 'hunter22!' }).ok).toBe(false)
    expect(rest.register.check({ name: 'Ann', email: 'ann@example.com', password: 'short' }).ok).toBe(false)
    expect(rest.register.check({ name: 'Ann', email: 'ann@example.com', password: 'x'.repeat(129) }).ok).toBe(false)
  })

  test('login refuses operator objects', () => {
    expect(rest.login.check({ email: { $gt: '' }, password: 'whatever1' }).ok).toBe(false)
    expect(rest.login.check({ email: 'a@b.co', password: { $ne: null } }).ok).toBe(false)
  })

  test('room names are 1-60 characters after trimming', () => {
    expect(rest.createRoom.check({ name: 'Sofa hunt' }).ok).toBe(true)
    expect(rest.createRoom.check({ name: '' }).ok).toBe(false)
    expect(rest.createRoom.check({ name: 'x'.repeat(61) }).ok).toBe(false)
  })

  test('the messages query', () => {
    expect(rest.messagesQuery.check({ before: 10, limit: 20 }).ok).toBe(true)
    expect(rest.messagesQuery.check({ limit: 0 }).ok).toBe(false)
    expect(rest.messagesQuery.check({ limit: 101 }).ok).toBe(false)
  })
})
