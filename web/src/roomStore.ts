import {
  type ChatMessage,
  HISTORY_LIMIT,
  INITIAL_ROOM_STATE,
  type JoinRoomOk,
  MESSAGES_PAGE_MAX,
  type PageChangedPayload,
  type PresencePayload,
  type PublicUser,
  type Room,
  type ScrollUpdatedPayload,
  type UserClickedPayload,
} from '@hangout/protocol'
import { batch, signal } from '@preact/signals'
import { fillGap, fillLiveGap, gapBefore, mergeMessages } from './chatLog.js'
import { presenceChanges, presenceNotices } from './presenceChanges.js'

export interface RoomStoreDeps {
  me: PublicUser
  /** Messages with seq < before, ascending (the REST history route). */
  fetchBefore(before: number, limit: number): Promise<ChatMessage[]>
  notify(text: string): void
}

/** What one open room shows: the room, who is here, its shared activity and its chat, kept by its events. */
export function createRoomStore({ me, fetchBefore, notify }: RoomStoreDeps) {
  const room = signal<Room | null>(null)
  const participants = signal<readonly PublicUser[]>([])
  const page = signal(INITIAL_ROOM_STATE.page)
  const top = signal(INITIAL_ROOM_STATE.top)
  /** userId → the product that user's highlight is on. */
  const highlights = signal<Readonly<Record<string, number>>>({})
  const messages = signal<readonly ChatMessage[]>([])
  /** Whether older messages than the first shown may exist on the server. */
  const moreBefore = signal(false)
  /** Who moved the room's view last, for the follow toggle's hint. */
  const lastMover = signal<PublicUser | null>(null)

  let joinedBefore = false
  /**
   * Events that arrive between a join's emit and its ack: the ack's snapshot may predate them, so
   * they are applied again on top of it (each is idempotent on a state that already has it).
   */
  let duringJoin: (() => void)[] | null = null

  const addMessages = (incoming: readonly ChatMessage[]) => {
    messages.value = mergeMessages(messages.value, incoming)
  }

  function joining(): void {
    duringJoin = []
  }

  async function joined(ack: JoinRoomOk): Promise<void> {
    const replay = duringJoin ?? []
    duringJoin = null
    const gap = gapBefore(messages.value, ack.history)
    const firstJoin = !joinedBefore
    joinedBefore = true
    // What the reader saw before this rejoin, live events during it included (those were toasted already).
    const seen = participants.value
    batch(() => {
      room.value = ack.room
      participants.value = ack.participants
      page.value = ack.state.page
      top.value = ack.state.top
      highlights.value = ack.state.highlights
      addMessages(ack.history)
      if (firstJoin) moreBefore.value = ack.history.length >= HISTORY_LIMIT
      for (const apply of replay) apply()
    })
    if (!firstJoin) for (const notice of presenceNotices(presenceChanges(seen, participants.value, me.id))) notify(notice)
    if (gap) {
      try {
        addMessages(await fillGap(gap, (before) => fetchBefore(before, MESSAGES_PAGE_MAX)))
      } catch {
        notify('Some messages sent while you were away could not be loaded. Reload to see them.')
      }
    }
  }

  async function loadEarlier(): Promise<void> {
    const first = messages.value[0]
    if (!first) return
    const older = await fetchBefore(first.seq, HISTORY_LIMIT)
    moreBefore.value = older.length >= HISTORY_LIMIT
    addMessages(older)
  }

  const withoutHighlight = (userId: string) => {
    const { [userId]: _gone, ...rest } = highlights.value
    return rest
  }

  const live = {
    user_joined(payload: PresencePayload, replaying = false) {
      if (participants.value.some((user) => user.id === payload.user.id)) return
      participants.value = [...participants.value, payload.user]
      if (payload.user.id !== me.id && !replaying) notify(`${payload.user.name} joined`)
    },
    user_leaved(payload: PresencePayload, replaying = false) {
      const mine = payload.user.id === me.id
      batch(() => {
        // A leave of this user reaching this socket is about an older socket of theirs (its grace ran
        // out as this one rejoined): this one is in the room, so they are still here.
        if (!mine) participants.value = participants.value.filter((user) => user.id !== payload.user.id)
        highlights.value = withoutHighlight(payload.user.id)
      })
      if (!mine && !replaying) notify(`${payload.user.name} left`)
    },
    message(message: ChatMessage) {
      const last = messages.value.at(-1)
      addMessages([message])
      // A live message beyond the next seq: the ones between were missed (this node was cut off from
      // the others while the socket stayed up) or are still on their way. Look once they had time to come.
      if (duringJoin === null && last && message.seq > last.seq + 1) {
        const gap = { after: last.seq, before: message.seq }
        fillLiveGap(
          gap,
          () => messages.value,
          (before) => fetchBefore(before, MESSAGES_PAGE_MAX),
          addMessages,
        ).catch(() => notify('Some messages could not be loaded. Reload to see them.'))
      }
    },
    user_clicked(payload: UserClickedPayload) {
      highlights.value = { ...highlights.value, [payload.user.id]: payload.productId }
    },
    scroll_updated(payload: ScrollUpdatedPayload) {
      batch(() => {
        top.value = payload.top
        lastMover.value = payload.user
      })
    },
    page_changed(payload: PageChangedPayload) {
      // A page starts at its top: the mover sends that scroll too, but showing it now avoids a jump.
      batch(() => {
        page.value = payload.page
        top.value = 0
        lastMover.value = payload.user
      })
    },
  }

  /** Applies an event now, and once more after the ack of a join in progress. */
  function track<P>(apply: (payload: P, replaying?: boolean) => void): (payload: P) => void {
    return (payload) => {
      duringJoin?.push(() => apply(payload, true))
      apply(payload)
    }
  }
  const events = {
    user_joined: track(live.user_joined),
    user_leaved: track(live.user_leaved),
    message: live.message,
    user_clicked: track(live.user_clicked),
    scroll_updated: track(live.scroll_updated),
    page_changed: track(live.page_changed),
  }

  return {
    me,
    room,
    participants,
    page,
    top,
    highlights,
    messages,
    moreBefore,
    lastMover,
    joining,
    joined,
    loadEarlier,
    events,
    addMessages,
    /** This user's own click, shown at once (the server sends it to the others only). */
    highlightMine(productId: number) {
      highlights.value = { ...highlights.value, [me.id]: productId }
    },
  }
}

export type RoomStore = ReturnType<typeof createRoomStore>
