import type { ChatMessage } from '@hangout/protocol'
import { Fragment } from 'preact'
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { RoomConnection } from '@hangout/client'
import { deliver } from '../deliver.js'
import type { RoomStore } from '../roomStore.js'
import { typingSummary } from '../typing.js'
import { firstNew } from '../unread.js'
import { ChatComposer } from './ChatComposer.js'
import { MessageItem } from './MessageItem.js'

/** Within this distance of the end, the reader counts as at the bottom and new messages scroll in. */
const BOTTOM_SLACK_PX = 40
/** Messages of one author this close together share one header. */
const GROUP_MS = 5 * 60 * 1000

function sameGroup(previous: ChatMessage | undefined, message: ChatMessage): boolean {
  return previous !== undefined && previous.user.id === message.user.id && message.ts - previous.ts < GROUP_MS
}

interface ChatProps {
  store: RoomStore
  connection: RoomConnection
  /** The last seq the reader had seen when they opened the room (null: first visit): the "new since you left" line. */
  readBefore: number | null
}

export function Chat({ store, connection, readBefore }: ChatProps) {
  const log = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  /** Set before older messages are added on top: the distance from the end to keep. */
  const keepFromEnd = useRef<number | null>(null)
  const [unread, setUnread] = useState(0)
  const [loadingEarlier, setLoadingEarlier] = useState(false)
  const messages = store.messages.value
  const last = messages.at(-1)
  const outgoing = store.outbox.list.value
  const typists = [...store.typists.value.values()].map((user) => user.name)
  const newLine = firstNew(messages, readBefore, store.me.id)

  const toBottom = () => {
    const element = log.current
    if (element) element.scrollTop = element.scrollHeight
    atBottom.current = true
    setUnread(0)
  }

  useLayoutEffect(() => {
    const element = log.current
    if (!element) return
    if (keepFromEnd.current !== null) {
      element.scrollTop = element.scrollHeight - keepFromEnd.current
      keepFromEnd.current = null
    } else if (atBottom.current) {
      // Missed messages filled in after a rejoin land above the last one: a reader at the end stays there.
      element.scrollTop = element.scrollHeight
    }
  }, [messages])

  // The log shrinks when a note appears under the composer or the box grows: a reader at the end stays there.
  useEffect(() => {
    const element = log.current
    if (!element || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(() => {
      if (atBottom.current) element.scrollTop = element.scrollHeight
    })
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  // The reader's own message shows at once, at the end: take them there.
  useLayoutEffect(() => {
    if (outgoing.length > 0) toBottom()
  }, [outgoing.length])

  useLayoutEffect(() => {
    if (!last) return
    if (atBottom.current || last.user.id === store.me.id) toBottom()
    else setUnread((count) => count + 1)
  }, [last?.id])

  function onScroll() {
    const element = log.current
    if (!element) return
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < BOTTOM_SLACK_PX
    if (atBottom.current) setUnread(0)
  }

  async function loadEarlier() {
    if (loadingEarlier) return
    const element = log.current
    if (element) keepFromEnd.current = element.scrollHeight - element.scrollTop
    setLoadingEarlier(true)
    try {
      await store.loadEarlier()
    } catch {
      keepFromEnd.current = null
    } finally {
      setLoadingEarlier(false)
      // The button goes away at the room's beginning: keep the keyboard in the chat, not on the page.
      if (!store.moreBefore.peek()) log.current?.focus()
    }
  }

  return (
    <section class="chat" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      <div class="chat__frame">
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls, so the keyboard must be able to reach it */}
        <div ref={log} class="chat__log" role="log" aria-label="Chat" tabIndex={0} onScroll={onScroll}>
          {store.moreBefore.value && (
            <button
              type="button"
              class="button button--quiet button--small chat__earlier"
              // Not `disabled`: that would drop the keyboard focus while loading.
              aria-disabled={loadingEarlier}
              onClick={loadEarlier}
            >
              {loadingEarlier ? 'Loading…' : 'Load earlier messages'}
            </button>
          )}
          {messages.length === 0 && <p class="chat__empty">No messages yet. Say hello!</p>}
          {messages.map((message, index) => (
            <Fragment key={message.id}>
              {message === newLine && (
                <div class="chat__new">
                  <span>New since you left</span>
                </div>
              )}
              <MessageItem
                message={message}
                grouped={sameGroup(messages[index - 1], message)}
                mine={message.user.id === store.me.id}
                color={store.colorOf(message.user.id)}
                store={store}
                connection={connection}
              />
            </Fragment>
          ))}
          {outgoing.map((item) => (
            // Not a `.message`: it becomes one when acknowledged.
            <article key={item.clientId} class={`outgoing outgoing--${item.state}`}>
              <p class="outgoing__text">{item.text}</p>
              {item.state === 'sending' ? (
                <p class="message__status">Sending…</p>
              ) : (
                <p class="message__status message__status--failed">
                  Not sent{item.error ? ` (${item.error.replace(/\.$/, '')})` : ''}.{' '}
                  <button
                    type="button"
                    class="button button--small"
                    onClick={() => {
                      const again = store.outbox.find(item.clientId)
                      if (again) void deliver(store, connection, again)
                    }}
                  >
                    Retry
                  </button>
                </p>
              )}
            </article>
          ))}
        </div>
        {unread > 0 && (
          <button type="button" class="chat__pill" onClick={toBottom}>
            {unread === 1 ? '1 new message' : `${unread} new messages`} ↓
          </button>
        )}
      </div>
      <p class="chat__typing" aria-live="polite">
        {typingSummary(typists)}
      </p>
      <ChatComposer store={store} connection={connection} />
    </section>
  )
}
