import { clientPayloadValidators as v, restValidators as rest } from '../src/index.js'

describe('socket payload validators', () => {
  test('accept the contract payloads', () => {
    expect(v.join_room.check({ roomId: 'abc_DEF-123' }).ok).toBe(true)
    expect(v.message.check({ roomId: 'r1', text: '  hi  ' }).ok).toBe(true)
    expect(v.click_event.check({ roomId: 'r1', productId: 20 }).ok).toBe(true)
    expect(v.scroll_update.check({ roomId: 'r1', top: 0.5 }).ok).toBe(true)
    expect(v.page_change.check({ roomId: 'r1', page: 3 }).ok).toBe(true)
    expect(v.message.check({ roomId: 'r1', text: 'hi', clientId: 'c-1_x' }).ok).toBe(true)
    expect(v.typing.check({ roomId: 'r1' }).ok).toBe(true)
    expect(v.pointer_move.check({ roomId: 'r1', x: 0, y: 1 }).ok).toBe(true)
    expect(v.edit_message.check({ roomId: 'r1', id: 'm1', text: 'fixed' }).ok).toBe(true)
    expect(v.delete_message.check({ roomId: 'r1', id: 'm1' }).ok).toBe(true)
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
    ['message', { roomId: 'r1', text: 'hi', clientId: '' }],
    ['message', { roomId: 'r1', text: 'hi', clientId: 'has space' }],
    ['message', { roomId: 'r1', text: 'hi', clientId: 'x'.repeat(65) }],
    ['typing', { roomId: 'r1', text: 'x' }],
    ['pointer_move', { roomId: 'r1', x: 1.2, y: 0 }],
    ['pointer_move', { roomId: 'r1', x: 0.5 }],
    ['edit_message', { roomId: 'r1', id: 'm1', text: '  ' }],
    ['edit_message', { roomId: 'r1', id: '', text: 'ok' }],
    ['delete_message', { roomId: 'r1', id: { $gt: '' } }],
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

describe('names and chat text: control, bidi-override and invisible characters are refused', () => {
  const refused = [
    ['NUL', 'a\u0000b'],
    ['BEL', 'a\u0007b'],
    ['DEL', 'a\u007fb'],
    ['C1 NEL', 'a\u0085b'],
    ['right-to-left override', 'Ann\u202Egnp.exe'],
    ['left-to-right embedding', 'a\u202Ab'],
    ['first-strong isolate', 'a\u2068b'],
    ['zero-width space', 'a\u200Bb'],
    ['word joiner', 'a\u2060b'],
    ['byte order mark', '\uFEFFa'],
    ['line separator', 'a\u2028b'],
    ['interlinear annotation', 'a\uFFF9b'],
    ['lone high surrogate', 'a\uD83Db'],
    ['lone low surrogate', 'a\uDE00b'],
    ['joiners only', '\u200D\u200C'],
  ]
  const kept = [
    ['emoji with ZWJ and a variation selector', '👩‍💻 ❤️ 👨‍👩‍👧'],
    ['a flag made of tag characters', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['Arabic', 'مرحبا'],
    ['Hebrew with a right-to-left mark', 'שלום \u200Fעולם'],
    ['Persian with a ZWNJ', 'می‌خواهم'],
    ['Devanagari', 'नमस्ते'],
    ['Chinese, Japanese, Korean', '你好 こんにちは 안녕'],
    ['accents', 'Zoë Ångström'],
  ]
  const nameOk = (name: string) =>
    rest.createRoom.check({ name }).ok && rest.register.check({ name, email: 'a@b.co', password: 'long enough' }).ok
  const textOk = (text: string) =>
    v.message.check({ roomId: 'r1', text }).ok && v.edit_message.check({ roomId: 'r1', id: 'm1', text }).ok

  test.each(refused)('%s: refused in names and in chat text', (_what, value) => {
    expect(nameOk(value)).toBe(false)
    expect(textOk(value)).toBe(false)
  })

  test.each(kept)('%s: kept in names and in chat text', (_what, value) => {
    expect(nameOk(value)).toBe(true)
    expect(textOk(value)).toBe(true)
  })

  test('line breaks and tabs: chat text only', () => {
    for (const value of ['two\nlines', 'tab\there', 'windows\r\nline']) {
      expect(textOk(value)).toBe(true)
      expect(nameOk(value)).toBe(false)
    }
  })

  test('the refusal says why', () => {
    const checked = v.message.check({ roomId: 'r1', text: 'a\u202Eb' })
    expect(checked.ok ? '' : checked.message).toMatch(/control, bidi-override or invisible/)
  })
})
