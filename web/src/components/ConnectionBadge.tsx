import type { ConnectionStatus } from '@hangout/client'

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
}

/** The connection's state in words, announced politely when it changes. */
export function ConnectionBadge({ status, node }: { status: ConnectionStatus; node: string | null }) {
  return (
    <p class={`connection connection--${status}`} aria-live="polite" data-state={status} data-node={node ?? undefined}>
      <span class="connection__dot" aria-hidden="true" />
      {LABELS[status]}
    </p>
  )
}
