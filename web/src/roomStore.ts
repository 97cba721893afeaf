import {
  type ChatMessage,
  HISTORY_LIMIT,
  INITIAL_ROOM_STATE,
  type JoinRoomOk,
  type MessageDeletedPayload,
  MESSAGES_PAGE_MAX,
  type PageChangedPayload,
  type PointerMovedPayload,
  type PresencePayload,
  type PublicUser,
  type Room,
  type ScrollUpdatedPayload,
  type UserClickedPayload,
  type UserTypingPayload,
} from '@hangout/protocol'
import { batch, computed, signal } from '@preact/signals'
import { fillGap, fillLiveGap, gapBefore, mergeMessages } from '@hangout/client'
import { createExpiring } from './expiring.js'
import { createOutbox } from './outbox.js'
import { TYPING_SHOWN_MS } from './typing.js'
import { roomColours, userColor } from './userColor.js'
import { presenceChanges, presenceNotices } from './presenceChanges.js'

/**
 * After a rejoin, someone missing from the room's list is kept in view this long before they are
 * shown as gone: they may be rejoining from the same outage (a frozen node drops everyone on it at
 * once), and the contract's grace keeps such a reconnect silent too. Two readers' lists then agree
 * instead of one saying "nobody else is here" while the other still sees them.
 */
export const REJOIN_GRACE_MS = 5000

/** A pointer that has not moved for this long is hidden: its owner has stopped moving or gone elsewhere. */
export const POINTER_IDLE_MS = 4000

export interface RoomStoreDeps {
  me: PublicUser
  /** Messages with seq < before, ascending (the REST history route). */
  fetchBefore(before: number, limit: number): Promise<ChatMessage[]>
  notify(text: string): void
  /** REJOIN_GRACE_MS unless a test says otherwise. */
  rejoinGraceMs?: number
}

/** What one open room shows: the room, who is here, its shared activity and its chat, kept by its events. */
export function createRoomStore({ me, fetchBefore, notify, rejoinGraceMs = REJOIN_GRACE_MS }: RoomStoreDeps) {
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
  /** Who is typing now, by user id. */
  const typists = createExpiring<PublicUser>(TYPING_SHOWN_MS)
  /** Others' pointers over the catalog, by user id; one that stops moving fades out. */
  const pointers = createExpiring<PointerMovedPayload>(POINTER_IDLE_MS)
  /** This tab's messages on their way. */
  const outbox = createOutbox()
  /** Everyone here (the reader too) in a colour no one else here has. */
  const colours = computed(() => roomColours([me.id, ...participants.value.map((user) => user.id)]))
  const present = (userId: string) => participants.peek().some((user) => user.id === userId)

  let joinedBefore = false
  /** People kept in view after a rejoin that did not list them, until REJOIN_GRACE_MS runs out. */
  const missing = new Set<string>()
  const graceTimers = new Set<ReturnType<typeof setTimeout>>()
  const found = (userId: string) => missing.delete(userId)
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
    const changes = firstJoin ? { joined: [], left: [] } : presenceChanges(seen, participants.value, me.id)
    if (changes.left.length > 0) participants.value = [...participants.value, ...changes.left]
    for (const user of changes.joined) found(user.id)
    for (const notice of presenceNotices({ joined: changes.joined, left: [] })) notify(notice)
    for (const user of changes.left) missing.add(user.id)
    if (changes.left.length > 0) {
      const timer = setTimeout(() => {
        graceTimers.delete(timer)
        const gone = changes.left.filter((user) => missing.has(user.id))
        if (gone.length === 0) return
        for (const user of gone) missing.delete(user.id)
        const goneIds = new Set(gone.map((user) => user.id))
        batch(() => {
          participants.value = participants.value.filter((user) => !goneIds.has(user.id))
          highlights.value = Object.fromEntries(Object.entries(highlights.value).filter(([userId]) => !goneIds.has(userId)))
        })
        for (const notice of presenceNotices({ joined: [], left: gone })) notify(notice)
      }, rejoinGraceMs)
      graceTimers.add(timer)
    }
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
      // Back within the grace after a rejoin: still in view, nothing to say.
      found(payload.user.id)
      if (participants.value.some((user) => user.id === payload.user.id)) return
      participants.value = [...participants.value, payload.user]
      if (payload.user.id !== me.id && !replaying) notify(`${payload.user.name} joined`)
    },
    user_leaved(payload: PresencePayload, replaying = false) {
      const mine = payload.user.id === me.id
      found(payload.user.id)
      batch(() => {
        // A leave of this user reaching this socket is about an older socket of theirs (its grace ran
        // out as this one rejoined): this one is in the room, so they are still here.
        if (!mine) participants.value = participants.value.filter((user) => user.id !== payload.user.id)
        highlights.value = withoutHighlight(payload.user.id)
      })
      if (!mine) {
        typists.remove(payload.user.id)
        pointers.remove(payload.user.id)
      }
      if (!mine && !replaying) notify(`${payload.user.name} left`)
    },
    message(message: ChatMessage) {
      typists.remove(message.user.id)
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
    user_typing(payload: UserTypingPayload) {
      if (payload.user.id !== me.id && present(payload.user.id)) typists.put(payload.user.id, payload.user)
    },
    pointer_moved(payload: PointerMovedPayload) {
      // A position coalesced on the gateway may trail its user's leave: only people here have a pointer.
      if (payload.user.id !== me.id && present(payload.user.id)) pointers.put(payload.user.id, payload)
    },
    message_edited(message: ChatMessage) {
      addMessages([message])
    },
    message_deleted(payload: MessageDeletedPayload) {
      const known = messages.peek().find((message) => message.id === payload.id)
      if (known) addMessages([{ ...known, text: '', deleted: true }])
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
    user_typing: live.user_typing,
    pointer_moved: live.pointer_moved,
    // Applied again after a join in progress: its history may predate the change.
    message_edited: track(live.message_edited),
    message_deleted: track(live.message_deleted),
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
    typists: typists.items,
    pointers: pointers.items,
    outbox,
    /** A user's colour in this room (reading it subscribes to the room's people). */
    colorOf: (userId: string) => colours.value.get(userId) ?? userColor(userId),
    joining,
    joined,
    loadEarlier,
    events,
    addMessages,
    /** Stops the timers of what is shown for a moment (the room was closed). */
    dispose() {
      for (const timer of graceTimers) clearTimeout(timer)
      graceTimers.clear()
      typists.clear()
      pointers.clear()
    },
    /** This user's own click, shown at once (the server sends it to the others only). */
    highlightMine(productId: number) {
      highlights.value = { ...highlights.value, [me.id]: productId }
    },
  }
}

export type RoomStore = ReturnType<typeof createRoomStore>
