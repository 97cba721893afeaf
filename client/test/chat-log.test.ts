import type { ChatMessage } from '@hangout/protocol'
import fc from 'fast-check'
import { fillGap, gapBefore, mergeMessages } from '../src/chat-log.js'

const message = (seq: number, text = `m${seq}`): ChatMessage => ({
  id: `id-${seq}`,
  roomId: 'room',
  seq,
  user: { id: 'u1', name: 'Ana' },
  text,
  ts: 1_700_000_000_000 + seq,
})
const seqs = (messages: readonly ChatMessage[]) => messages.map((m) => m.seq)

describe('the chat log', () => {
  test('merging keeps each id once, in seq order, and answers the same array when nothing is new', () => {
    const log = mergeMessages([], [message(1), message(2)])
    expect(seqs(mergeMessages(log, [message(3)]))).toEqual([1, 2, 3])
    expect(seqs(mergeMessages(log, [message(5), message(4), message(2)]))).toEqual([1, 2, 4, 5])
    expect(mergeMessages(log, [message(1), message(2)])).toBe(log)
    expect(seqs(mergeMessages([message(10)], [message(3), message(3)]))).toEqual([3, 10])
  })

  test('any interleaving of live messages, history and refetches merges to the same log', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 30 }), { maxLength: 6 }), (batches) => {
        let log: readonly ChatMessage[] = []
        for (const batch of batches)
          log = mergeMessages(
            log,
            batch.map((seq) => message(seq)),
          )
        const expected = [...new Set(batches.flat())].sort((a, b) => a - b)
        expect(seqs(log)).toEqual(expected)
      }),
    )
  })

  test('an edit or a deletion replaces the message it revises, whatever order the revisions arrive in', () => {
    const edited = (seq: number, at: number): ChatMessage => ({ ...message(seq, `edit ${at}`), editedAt: at })
    const deleted = (seq: number): ChatMessage => ({ ...message(seq, ''), deleted: true })
    fc.assert(
      fc.property(
        fc.shuffledSubarray([message(1), message(2), edited(2, 10), edited(2, 20), deleted(2), message(3), edited(3, 5)], {
          minLength: 7,
        }),
        fc.integer({ min: 1, max: 7 }),
        (arrivals, split) => {
          const log = mergeMessages(mergeMessages([], arrivals.slice(0, split)), arrivals.slice(split))
          expect(log.map((m) => [m.seq, m.text, m.deleted ?? false])).toEqual([
            [1, 'm1', false],
            [2, '', true],
            [3, 'edit 5', false],
          ])
        },
      ),
    )
  })

  test('a rejoin’s history that starts beyond what is known leaves a gap; an overlapping one does not', () => {
    const known = [message(1), message(2), message(3)]
    expect(gapBefore(known, [message(4), message(5)])).toBeNull()
    expect(gapBefore(known, [message(2), message(3), message(4)])).toBeNull()
    expect(gapBefore(known, [])).toBeNull()
    expect(gapBefore([], [message(70)])).toBeNull()
    expect(gapBefore(known, [message(60), message(61)])).toEqual({ after: 3, before: 60 })
  })

  test('filling a gap pages back through the history route until it meets what is known', async () => {
    // The server's room: seqs 1..250 with a hole at 100..104 (seqs grow strictly but may skip).
    const server = Array.from({ length: 250 }, (_, i) => message(i + 1)).filter((m) => m.seq < 100 || m.seq > 104)
    const asked: number[] = []
    const fetchBefore = async (before: number) => {
      asked.push(before)
      return server.filter((m) => m.seq < before).slice(-100)
    }
    const known = server.filter((m) => m.seq <= 20)
    const history = server.slice(-50)
    const gap = gapBefore(known, history)
    expect(gap).toEqual({ after: 20, before: 201 })
    const found = await fillGap(gap!, fetchBefore)
    const log = mergeMessages(mergeMessages(known, history), found)
    expect(seqs(log)).toEqual(seqs(server))
    expect(Math.min(...seqs(found))).toBe(21)
    expect(asked).toEqual([201, 96])
  })

  test('filling stops at the room’s beginning and after a bounded number of pages', async () => {
    expect(await fillGap({ after: 5, before: 9 }, async () => [])).toEqual([])
    let calls = 0
    const endless = async (before: number) => {
      calls++
      return [message(before - 1)]
    }
    await fillGap({ after: 0, before: 10_000 }, endless, 3)
    expect(calls).toBe(3)
  })
})
