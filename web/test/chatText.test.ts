import type { ChatMessage } from '@hangout/protocol'
import { newClientId } from '@hangout/client'
import { linkify } from '../src/linkify.js'
import { typingSender, typingSummary } from '../src/typing.js'
import { countNew, firstNew } from '../src/unread.js'

const message = (seq: number, userId: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${seq}`,
  roomId: 'r',
  seq,
  user: { id: userId, name: userId },
  text: `t${seq}`,
  ts: seq,
  ...extra,
})

describe('chat text and its helpers', () => {
  test('web addresses become links; everything else, markup included, stays text', () => {
    expect(linkify('see https://example.com/a?b=1, then <b>bold</b>.')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { text: ', then <b>bold</b>.' },
    ])
    expect(linkify('javascript:alert(1) data:text/html,x')).toEqual([{ text: 'javascript:alert(1) data:text/html,x' }])
    expect(linkify('(http://a.example)')).toEqual([
      { text: '(' },
      { text: 'http://a.example', href: 'http://a.example/' },
      { text: ')' },
    ])
    expect(linkify('no links')).toEqual([{ text: 'no links' }])
  })

  test('typists are summarised, several at once in one line', () => {
    expect(typingSummary([])).toBe('')
    expect(typingSummary(['Bob'])).toBe('Bob is typing…')
    expect(typingSummary(['Bob', 'Cat'])).toBe('Bob and Cat are typing…')
    expect(typingSummary(['Bob', 'Cat', 'Dan'])).toBe('Bob, Cat and 1 other are typing…')
    expect(typingSummary(['Bob', 'Cat', 'Dan', 'Eve'])).toBe('Bob, Cat and 2 others are typing…')
  })

  test('typing leaves at most every 2 s while typing, and again at once after a send', () => {
    let now = 0
    let sent = 0
    const sender = typingSender(
      () => sent++,
      () => now,
    )
    for (now = 0; now < 5000; now += 100) sender.typed()
    expect(sent).toBe(3) // at 0, 2000 and 4000
    sender.reset()
    sender.typed()
    expect(sent).toBe(4)
  })

  test('unread counts others’ live messages past a mark; the "new" line sits at the first of them', () => {
    const log = [
      message(1, 'me'),
      message(2, 'bob'),
      message(3, 'me'),
      message(4, 'bob', { deleted: true, text: '' }),
      message(5, 'cat'),
    ]
    expect(countNew(log, 1, 'me')).toBe(2)
    expect(countNew(log, 5, 'me')).toBe(0)
    expect(firstNew(log, 1, 'me')?.seq).toBe(2)
    expect(firstNew(log, 2, 'me')?.seq).toBe(4)
    expect(firstNew(log, null, 'me')).toBeUndefined()
  })

  test('client ids are URL-safe, 22 characters, and never repeat', () => {
    const ids = Array.from({ length: 1000 }, newClientId)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
