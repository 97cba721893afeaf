import { signal } from '@preact/signals'
import { newClientId } from '@hangout/client'

/** A message on its way: shown at once, "sending…" until acknowledged, "not sent" when that failed. */
export interface Outgoing {
  clientId: string
  text: string
  state: 'sending' | 'failed'
  /** Why it failed, for the reader. */
  error?: string
}

/** The messages this tab sent that have no acknowledgement yet; a retry keeps the `clientId`, so it lands once. */
export function createOutbox() {
  const list = signal<readonly Outgoing[]>([])
  const update = (clientId: string, change: (item: Outgoing) => Outgoing | null) => {
    list.value = list.peek().flatMap((item) => {
      if (item.clientId !== clientId) return [item]
      const next = change(item)
      return next ? [next] : []
    })
  }
  return {
    list,
    add(text: string): Outgoing {
      const item: Outgoing = { clientId: newClientId(), text, state: 'sending' }
      list.value = [...list.peek(), item]
      return item
    },
    sending: (clientId: string) => update(clientId, (item) => ({ clientId: item.clientId, text: item.text, state: 'sending' })),
    failed: (clientId: string, error: string) => update(clientId, (item) => ({ ...item, state: 'failed', error })),
    done: (clientId: string) => update(clientId, () => null),
    find: (clientId: string) => list.peek().find((item) => item.clientId === clientId),
  }
}

export type Outbox = ReturnType<typeof createOutbox>
