import { batch, useSignal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError } from '../api.js'
import { connectRoom, type RoomConnection } from '@hangout/client'
import { copyText, inviteLink } from '../copyText.js'
import { createRoomStore, type RoomStore } from '../roomStore.js'
import { roomPath } from '../routes.js'
import { useServices } from '../services.js'
import { markRead, readMark, useDocumentHidden, useMedia, useUnreadWhile } from '../unread.js'
import { useTitle } from '../useTitle.js'
import { EXPIRED_NOTICE } from '../session.js'
import { Catalog } from './Catalog.js'
import { Chat } from './Chat.js'
import { ConnectionBadge } from './ConnectionBadge.js'
import { Link } from './Link.js'
import { NotFound } from './NotFound.js'
import { HighlightLegend } from './HighlightLegend.js'
import { Participants } from './Participants.js'
import { RoomTabs, type RoomTab } from './RoomTabs.js'

type Phase =
  | { name: 'loading' }
  | { name: 'ready'; store: RoomStore; connection: RoomConnection }
  | { name: 'notFound' }
  | { name: 'failed'; message: string }

/** Opens one room: checks it exists, connects its socket, and closes both when the page moves on. */
export function RoomPage({ roomId }: { roomId: string }) {
  const { api, session, toasts, origin } = useServices()
  const [phase, setPhase] = useState<Phase>({ name: 'loading' })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    const user = session.current.peek()?.user
    if (!user) return
    let cancelled = false
    let connection: RoomConnection | undefined
    const store = createRoomStore({
      me: { id: user.id, name: user.name },
      fetchBefore: (before, limit) => api.messagesBefore(roomId, before, limit),
      notify: (text) => toasts.show(text),
    })
    api.joinRoom({ roomId }).then(
      (room) => {
        if (cancelled) return
        store.room.value = room
        connection = connectRoom({
          origin,
          roomId,
          token: () => session.current.peek()?.token ?? null,
          onJoining: () => store.joining(),
          onJoined: (ack) => void store.joined(ack),
          onJoinRefused: () => setPhase({ name: 'notFound' }),
          onUnauthorized: () => session.end(EXPIRED_NOTICE),
          events: store.events,
        })
        setPhase({ name: 'ready', store, connection })
      },
      (error: unknown) => {
        if (cancelled) return
        if (error instanceof ApiError && (error.code === 'ROOM_NOT_FOUND' || error.code === 'VALIDATION_FAILED'))
          setPhase({ name: 'notFound' })
        else setPhase({ name: 'failed', message: error instanceof Error ? error.message : String(error) })
      },
    )
    return () => {
      cancelled = true
      connection?.close()
      store.dispose()
    }
  }, [roomId, attempt, api, session, toasts, origin])

  if (phase.name === 'notFound')
    return <NotFound message="There is no room with this id. Check the invite link, or start a new room." />
  if (phase.name === 'failed') {
    return (
      <section class="panel narrow" aria-labelledby="room-failed">
        <h1 id="room-failed">Could not open the room</h1>
        <p>{phase.message}</p>
        <button type="button" class="button button--primary" onClick={() => setAttempt((count) => count + 1)}>
          Try again
        </button>
      </section>
    )
  }
  if (phase.name === 'loading') return <p class="loading">Opening the room…</p>
  return <RoomView roomId={roomId} store={phase.store} connection={phase.connection} />
}

/** Below this width the catalog and the chat take turns on the screen (styles.css has the same breakpoint). */
const PHONE_QUERY = '(max-width: 760px)'

interface RoomViewProps {
  roomId: string
  store: RoomStore
  connection: RoomConnection
}

function RoomView({ roomId, store, connection }: RoomViewProps) {
  const { toasts, origin } = useServices()
  const following = useSignal(true)
  const ownPage = useSignal(store.page.peek())
  const [tab, setTab] = useState<RoomTab>('catalog')
  // What the reader had seen when they came in: read once, the line stays where it was.
  const [readBefore] = useState(() => readMark(localStorage, roomId))
  const heading = useRef<HTMLHeadingElement>(null)
  const room = store.room.value
  const inviteUrl = inviteLink(origin, roomPath(roomId), room?.name)
  const mover = store.lastMover.value
  const messages = store.messages.value
  const hidden = useDocumentHidden()
  const phone = useMedia(PHONE_QUERY)
  const chatAway = phone && tab !== 'chat'
  const unseenInTab = useUnreadWhile(hidden, messages, store.me.id)
  const unseenInChat = useUnreadWhile(chatAway, messages, store.me.id)
  useTitle(`${unseenInTab > 0 ? `(${unseenInTab}) ` : ''}${room?.name ?? 'Room'}`)

  // A new screen: the keyboard and the reader start at its heading, not at the top of the page.
  useEffect(() => heading.current?.focus(), [])

  const lastSeq = messages.at(-1)?.seq
  useEffect(() => {
    if (lastSeq !== undefined && !hidden && !chatAway) markRead(localStorage, roomId, lastSeq)
  }, [lastSeq, hidden, chatAway, roomId])

  function toggleFollow() {
    batch(() => {
      ownPage.value = store.page.peek()
      following.value = !following.peek()
    })
  }

  return (
    <div class="room">
      <div class="room__bar">
        <div class="room__title">
          <Link href="/" class="room__back">
            ← Lobby
          </Link>
          <h1 ref={heading} tabIndex={-1}>
            {room?.name ?? 'Room'}
          </h1>
        </div>
        <div class="room__tools">
          <ConnectionBadge status={connection.status.value} node={connection.node.value} />
          <label class="switch">
            <input
              type="checkbox"
              role="switch"
              checked={following.value}
              aria-checked={following.value}
              onChange={toggleFollow}
            />
            <span class="switch__track" aria-hidden="true" />
            Follow the room
          </label>
          <button
            type="button"
            class="button button--small"
            onClick={async () => toasts.show((await copyText(inviteUrl)) ? 'Invite link copied' : `Copy this link: ${inviteUrl}`)}
          >
            Copy invite link
          </button>
        </div>
      </div>
      {!following.value && (
        <p class="room__alone">
          You are browsing on your own. The room is on page {store.page.value}
          {mover ? ` (moved by ${mover.name})` : ''}.{' '}
          <button type="button" class="button button--small" onClick={toggleFollow}>
            Rejoin the room's view
          </button>
        </p>
      )}
      {phone && <RoomTabs tab={tab} onChange={setTab} unread={unseenInChat} />}
      <div class={`room__body room__body--${tab}`}>
        <div class="room__main" id="room-panel-catalog">
          <Catalog store={store} connection={connection} following={following} ownPage={ownPage} />
          <HighlightLegend store={store} />
        </div>
        <aside class="room__side" id="room-panel-chat" aria-label="People and chat">
          <Participants store={store} stale={connection.status.value !== 'connected'} />
          <Chat store={store} connection={connection} readBefore={readBefore} />
        </aside>
      </div>
    </div>
  )
}
