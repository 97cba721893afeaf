import { ChatText, type ChatMessage, interpretedValidator } from '@hangout/protocol'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { RoomConnection } from '@hangout/client'
import { formatMessageTime } from '../format.js'
import type { RoomStore } from '../roomStore.js'
import { MessageText } from './MessageText.js'

const checkText = interpretedValidator(ChatText)

interface MessageItemProps {
  message: ChatMessage
  /** Shares the header of the message before it (same author, close in time). */
  grouped: boolean
  mine: boolean
  color: string
  store: RoomStore
  connection: RoomConnection
}

type Mode = { name: 'reading' } | { name: 'editing'; draft: string } | { name: 'confirmingDelete' }

/** One chat message; the reader's own can be edited and deleted in place. */
export function MessageItem({ message, grouped, mine, color, store, connection }: MessageItemProps) {
  const [mode, setMode] = useState<Mode>({ name: 'reading' })
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const deleted = message.deleted === true
  const editable = mine && !deleted
  const textId = `message-${message.id}-text`
  const editBox = useRef<HTMLTextAreaElement>(null)
  const keepButton = useRef<HTMLButtonElement>(null)
  // The control the reader asked for takes the focus. Not `autofocus`: a browser honours it once
  // per page, so the second message edited, or any delete dialog after an edit, kept it on <body>.
  useLayoutEffect(() => {
    if (mode.name === 'editing') editBox.current?.focus()
    else if (mode.name === 'confirmingDelete') keepButton.current?.focus()
  }, [mode.name])

  async function save(draft: string) {
    if (draft.trim() === message.text.trim()) return setMode({ name: 'reading' })
    if (!checkText.check(draft).ok) return setError('A message holds 1 to 2000 characters.')
    setBusy(true)
    const ack = await connection.edit(message.id, draft)
    setBusy(false)
    if (!ack.ok) return setError(`Not saved: ${ack.error.message}`)
    store.addMessages([ack.message])
    setError(null)
    setMode({ name: 'reading' })
  }

  async function remove() {
    setBusy(true)
    const ack = await connection.remove(message.id)
    setBusy(false)
    if (!ack.ok) return setError(`Not deleted: ${ack.error.message}`)
    store.addMessages([{ ...message, text: '', deleted: true }])
    setError(null)
    setMode({ name: 'reading' })
  }

  const classes = ['message', grouped && 'message--grouped', mine && 'message--mine', deleted && 'message--deleted']
  return (
    <article class={classes.filter(Boolean).join(' ')} data-seq={message.seq}>
      <header class={grouped ? 'sr-only' : 'message__head'}>
        <span class="message__author" style={{ color }}>
          {mine ? `${message.user.name} (you)` : message.user.name}
        </span>
        <time class="message__time" dateTime={new Date(message.ts).toISOString()}>
          {formatMessageTime(message.ts)}
        </time>
      </header>
      {mode.name === 'editing' ? (
        <form
          class="message__edit"
          onSubmit={(event) => {
            event.preventDefault()
            void save(mode.draft)
          }}
        >
          <label class="sr-only" for={`edit-${message.id}`}>
            Edit your message
          </label>
          <textarea
            id={`edit-${message.id}`}
            class="message__editbox"
            ref={editBox}
            value={mode.draft}
            onInput={(event) => setMode({ name: 'editing', draft: event.currentTarget.value })}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.stopPropagation()
                setError(null)
                setMode({ name: 'reading' })
              } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault()
                void save(mode.draft)
              }
            }}
          />
          <div class="message__actions message__actions--shown">
            <button type="submit" class="button button--small button--primary" aria-disabled={busy}>
              Save
            </button>
            <button type="button" class="button button--small" onClick={() => setMode({ name: 'reading' })}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p id={textId} class="message__text">
          {deleted ? (
            <span class="message__removed">This message was deleted.</span>
          ) : (
            <>
              <MessageText text={message.text} />
              {message.editedAt !== undefined && <span class="message__edited"> (edited)</span>}
            </>
          )}
        </p>
      )}
      {editable && mode.name === 'reading' && (
        <div class="message__actions">
          <button
            type="button"
            class="button button--quiet button--small"
            aria-describedby={textId}
            onClick={() => setMode({ name: 'editing', draft: message.text })}
          >
            Edit
          </button>
          <button
            type="button"
            class="button button--quiet button--small"
            aria-describedby={textId}
            onClick={() => setMode({ name: 'confirmingDelete' })}
          >
            Delete
          </button>
        </div>
      )}
      {mode.name === 'confirmingDelete' && (
        <div class="message__actions message__actions--shown">
          <span class="message__confirm">Delete this message for everyone?</span>
          <button type="button" class="button button--small button--danger" aria-disabled={busy} onClick={() => void remove()}>
            Yes, delete
          </button>
          <button type="button" class="button button--small" ref={keepButton} onClick={() => setMode({ name: 'reading' })}>
            Keep it
          </button>
        </div>
      )}
      {error && (
        <p class="message__error" role="alert">
          {error}
        </p>
      )}
    </article>
  )
}
