import { INITIAL_ROOM_STATE, type JoinRoomOk, type PublicUser } from '@hangout/protocol'
import { presenceChanges, presenceNotices } from '../src/presenceChanges.js'
import { waitFor } from '@hangout/testkit/process'
import { createRoomStore } from '../src/roomStore.js'

const GRACE_MS = 100

const user = (name: string): PublicUser => ({ id: `id-${name.toLowerCase()}`, name })
const [ana, bea, cid, dan, eve, fay] = ['Ana', 'Bea', 'Cid', 'Dan', 'Eve', 'Fay'].map(user) as [
  PublicUser,
  PublicUser,
  PublicUser,
  PublicUser,
  PublicUser,
  PublicUser,
]
const names = (people: readonly PublicUser[]) => people.map((person) => person.name)

function ack(participants: PublicUser[]): JoinRoomOk {
  return {
    ok: true,
    node: 'node-1',
    room: { id: 'room-1', name: 'Market', ownerId: ana.id, createdAt: new Date(0).toISOString() },
    participants,
    state: INITIAL_ROOM_STATE,
    history: [],
  }
}

/** Ana's store for one room; the notices she would see as toasts. */
function anasStore() {
  const notices: string[] = []
  const store = createRoomStore({
    me: ana,
    fetchBefore: async () => [],
    notify: (text) => notices.push(text),
    rejoinGraceMs: GRACE_MS,
  })
  return { store, notices }
}

const presence = (who: PublicUser, count: number) => ({ roomId: 'room-1', user: who, count })

describe('presence across reconnects', () => {
  test('the difference between two lists leaves out the reader and keeps each person once', () => {
    const changes = presenceChanges([ana, bea, cid], [cid, ana, dan], ana.id)
    expect(names(changes.joined)).toEqual(['Dan'])
    expect(names(changes.left)).toEqual(['Bea'])
    expect(presenceChanges([bea], [ana, bea], ana.id)).toEqual({ joined: [], left: [] })
    expect(presenceChanges([ana, bea], [bea], ana.id)).toEqual({ joined: [], left: [] })
  })

  test('notices name each person, or sum up when many changed at once', () => {
    expect(presenceNotices({ joined: [dan], left: [bea, cid] })).toEqual([
      'Bea left while you were away',
      'Cid left while you were away',
      'Dan joined while you were away',
    ])
    expect(presenceNotices({ joined: [bea, cid, dan, eve, fay], left: [] })).toEqual([
      'Bea, Cid and 3 others joined while you were away',
    ])
    expect(presenceNotices({ joined: [], left: [] })).toEqual([])
  })

  test('the first join shows who is here without a toast', async () => {
    const { store, notices } = anasStore()
    store.joining()
    await store.joined(ack([ana, bea, cid]))
    expect(names(store.participants.peek())).toEqual(['Ana', 'Bea', 'Cid'])
    expect(notices).toEqual([])
  })

  test('a rejoin toasts who came and went meanwhile, once each, and the list is the server’s', async () => {
    const { store, notices } = anasStore()
    store.joining()
    await store.joined(ack([ana, bea, cid]))
    // Away: Bea left and Dan came; back: the rejoin says so.
    store.joining()
    await store.joined(ack([dan, ana, cid]))
    // Bea stays in view for the grace (she may be rejoining from the same outage), then goes.
    expect(names(store.participants.peek())).toEqual(['Dan', 'Ana', 'Cid', 'Bea'])
    expect(notices).toEqual(['Dan joined while you were away'])
    await waitFor('Bea’s grace ends', async () => notices.length === 2, 2000, 10)
    expect(names(store.participants.peek())).toEqual(['Dan', 'Ana', 'Cid'])
    expect(notices).toEqual(['Dan joined while you were away', 'Bea left while you were away'])
    // Another rejoin with nothing new says nothing.
    store.joining()
    await store.joined(ack([dan, ana, cid]))
    expect(notices).toHaveLength(2)
  })

  test('someone missing from a rejoin who is back within the grace was never gone: no toast, no flicker', async () => {
    const { store, notices } = anasStore()
    store.joining()
    await store.joined(ack([ana, bea, cid]))
    // A frozen node dropped all three; Ana's rejoin came first, Bea's and Cid's follow.
    store.joining()
    await store.joined(ack([ana]))
    expect(names(store.participants.peek())).toEqual(['Ana', 'Bea', 'Cid'])
    store.events.user_joined(presence(bea, 2))
    store.events.user_joined(presence(cid, 3))
    // Past the grace (nothing to wait for but time): nobody was toasted or dropped.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 3))
    expect(names(store.participants.peek())).toEqual(['Ana', 'Bea', 'Cid'])
    expect(notices).toEqual([])
    store.dispose()
  })

  test('an event during the rejoin is toasted live, not again when its snapshot arrives', async () => {
    const { store, notices } = anasStore()
    store.joining()
    await store.joined(ack([ana, bea]))
    store.joining()
    // Eve's join reaches the new socket before the join's ack, whose snapshot predates it.
    store.events.user_joined(presence(eve, 3))
    store.events.user_leaved(presence(bea, 2))
    await store.joined(ack([ana, bea]))
    expect(names(store.participants.peek())).toEqual(['Ana', 'Eve'])
    expect(notices).toEqual(['Eve joined', 'Bea left'])
  })

  test('the leave of an old socket whose grace ends during the rejoin keeps the reader in the list', async () => {
    const { store, notices } = anasStore()
    store.joining()
    await store.joined(ack([ana, bea]))
    // Offline: the old socket's grace runs out on the server while the new one is already in the
    // room but not yet counted. Its leave reaches the new socket; the count then comes back to 1
    // with a user_joined that goes to the others only.
    store.joining()
    store.events.user_leaved(presence(ana, 1))
    await store.joined(ack([ana, bea]))
    expect(names(store.participants.peek())).toEqual(['Ana', 'Bea'])
    store.events.user_leaved(presence(ana, 1))
    expect(names(store.participants.peek())).toEqual(['Ana', 'Bea'])
    expect(notices).toEqual([])
  })

  test('own presence never makes a toast, live or after a rejoin', async () => {
    const { store, notices } = anasStore()
    store.joining()
    await store.joined(ack([bea]))
    store.events.user_joined(presence(ana, 2))
    store.joining()
    await store.joined(ack([bea]))
    expect(notices).toEqual([])
  })
})
