import { type ChatMessage, INITIAL_ROOM_STATE, type JoinRoomOk, type PublicUser } from '@hangout/protocol'
import { fillLiveGap, LIVE_GAP_LOOKS_MS, mergeMessages } from '@hangout/client'
import { createRoomStore } from '../src/roomStore.js'

const ana: PublicUser = { id: 'id-ana', name: 'Ana' }
const msg = (seq: number): ChatMessage => ({ id: `m${seq}`, roomId: 'room-1', seq, user: ana, text: `#${seq}`, ts: seq })
const joinAck = (history: ChatMessage[]): JoinRoomOk => ({
  ok: true,
  node: 'node-1',
  room: { id: 'room-1', name: 'Market', ownerId: ana.id, createdAt: new Date(0).toISOString() },
  participants: [ana],
  state: INITIAL_ROOM_STATE,
  history,
})

const stored = [1, 2, 3, 4, 5, 6, 7].map(msg)

function store(server = stored) {
  const asked: number[] = []
  const room = createRoomStore({
    me: ana,
    fetchBefore: async (before, limit) => {
      asked.push(before)
      return server.filter((m) => m.seq < before).slice(-limit)
    },
    notify: () => {},
  })
  return { room, asked }
}

const settle = (ms: number = LIVE_GAP_LOOKS_MS[0]) => new Promise((resolve) => setTimeout(resolve, ms + 100))
const seqs = (room: ReturnType<typeof store>['room']) => room.messages.value.map((m) => m.seq)

test('a live message beyond the next seq fetches the ones between, each once', async () => {
  const { room, asked } = store()
  room.joining()
  await room.joined(joinAck(stored.slice(0, 2)))
  room.events.message(msg(5))
  await settle()
  expect(seqs(room)).toEqual([1, 2, 3, 4, 5])
  expect(asked).toEqual([5])
})

test('a message merely late on another path is not fetched', async () => {
  const { room, asked } = store()
  room.joining()
  await room.joined(joinAck(stored.slice(0, 2)))
  room.events.message(msg(4))
  room.events.message(msg(3))
  await settle()
  expect(seqs(room)).toEqual([1, 2, 3, 4])
  expect(asked).toEqual([])
})

test('a message stored after a later one is fetched on a later look', async () => {
  const server = [1, 2, 4, 5].map(msg)
  const { room, asked } = store(server)
  room.joining()
  await room.joined(joinAck(server.slice(0, 2)))
  room.events.message(msg(5))
  await settle()
  expect(seqs(room)).toEqual([1, 2, 4, 5])
  server.push(msg(3))
  server.sort((a, b) => a.seq - b.seq)
  await settle(LIVE_GAP_LOOKS_MS[1] - LIVE_GAP_LOOKS_MS[0])
  expect(seqs(room)).toEqual([1, 2, 3, 4, 5])
  expect(asked).toEqual([5, 5])
}, 15000)

/**
 * Runs `fillLiveGap` for the gap of seq 3 on its own clock (each wait resolves at once); the
 * server has 1, 2 and 4, and stores 3 once the clock reaches `storedAtMs` (never, if undefined).
 */
async function lookForSeq3(storedAtMs?: number) {
  const server = [1, 2, 4].map(msg)
  let log: readonly ChatMessage[] = server.slice()
  let now = 0
  const looks: number[] = []
  await fillLiveGap(
    { after: 2, before: 4 },
    () => log,
    async (before) => {
      looks.push(now)
      return server.filter((m) => m.seq < before)
    },
    (found) => (log = mergeMessages(log, found)),
    async (ms) => {
      now += ms
      if (storedAtMs !== undefined && now >= storedAtMs && !server.some((m) => m.seq === 3)) server.splice(2, 0, msg(3))
    },
  )
  return { seqs: log.map((m) => m.seq), looks }
}

test('a message whose store stalled for most of a minute is still found, and a gap skipped for good stops being looked at', async () => {
  const stalled = await lookForSeq3(40_000)
  expect(stalled.seqs).toEqual([1, 2, 3, 4])
  expect(stalled.looks).toEqual([400, 1500, 4000, 15_000, 60_000])

  // Seq 3 never stored (its insert failed): every look comes back short, and then it stops.
  const skipped = await lookForSeq3()
  expect(skipped.seqs).toEqual([1, 2, 4])
  expect(skipped.looks).toEqual([...LIVE_GAP_LOOKS_MS])
})
