import { ChatText, interpretedValidator } from '@hangout/protocol'
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { RoomConnection } from '@hangout/client'
import { deliver } from '../deliver.js'
import type { RoomStore } from '../roomStore.js'
import { typingSender } from '../typing.js'

const checkText = interpretedValidator(ChatText)
/** The raw limit of the contract's chat text (its trimmed limit is checked before sending). */
const MAX_LENGTH = 2000
const NOT_CONNECTED = 'Not sent: you are not connected. Your message is kept here; send it again once you are back.'

export function ChatComposer({ store, connection }: { store: RoomStore; connection: RoomConnection }) {
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const box = useRef<HTMLTextAreaElement>(null)
  const connected = connection.status.value === 'connected'
  const typing = useMemo(() => typingSender(() => void connection.typing()), [connection])

  // Back online: the refusal no longer holds.
  useEffect(() => {
    if (connected) setError((current) => (current === NOT_CONNECTED ? null : current))
  }, [connected])

  // Grow with the text up to the CSS max-height (set through CSSOM, which the CSP allows).
  useLayoutEffect(() => {
    const element = box.current
    if (!element) return
    element.style.height = 'auto'
    element.style.height = `${element.scrollHeight}px`
  }, [text])

  async function send() {
    if (text.trim() === '') return
    // Refused rather than queued: a message that would leave later, out of the conversation's flow,
    // surprises more than one the writer sends again.
    if (!connected) {
      setError(NOT_CONNECTED)
      return
    }
    if (!checkText.check(text).ok) {
      setError(`A message holds at most ${MAX_LENGTH} characters.`)
      return
    }
    setText('')
    setError(null)
    typing.reset()
    // Shown at once in the log as "sending…"; a failure stays there with a retry, so the box is free.
    await deliver(store, connection, store.outbox.add(text))
  }

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault()
        void send()
      }}
    >
      <label for="chat-message" class="sr-only">
        Message
      </label>
      <textarea
        id="chat-message"
        ref={box}
        rows={1}
        value={text}
        maxLength={MAX_LENGTH}
        placeholder={connected ? 'Write a message…' : 'Waiting for the connection…'}
        aria-describedby={error ? 'chat-error' : 'chat-hint'}
        onInput={(event) => {
          setText(event.currentTarget.value)
          if (connected && event.currentTarget.value.trim() !== '') typing.typed()
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault()
            void send()
          }
        }}
      />
      <button type="submit" class="button button--primary" disabled={text.trim() === ''}>
        Send
      </button>
      {error ? (
        <p id="chat-error" class="composer__note composer__note--error" role="alert">
          {error}
        </p>
      ) : (
        <p id="chat-hint" class="composer__note sr-only">
          Enter sends, Shift+Enter starts a new line.
        </p>
      )}
    </form>
  )
}
