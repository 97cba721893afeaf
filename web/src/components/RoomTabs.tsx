export type RoomTab = 'catalog' | 'chat'

const TABS: { id: RoomTab; label: string }[] = [
  { id: 'catalog', label: 'Catalog' },
  { id: 'chat', label: 'Chat' },
]

/** The phone's two screens of a room, side by side on a desktop; the Chat tab counts what came while it was not shown. */
export function RoomTabs({ tab, onChange, unread }: { tab: RoomTab; onChange(tab: RoomTab): void; unread: number }) {
  function onKeyDown(event: KeyboardEvent) {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return
    event.preventDefault()
    const next = tab === 'catalog' ? 'chat' : 'catalog'
    onChange(next)
    document.getElementById(`room-tab-${next}`)?.focus()
  }
  return (
    <div class="room__tabs" role="tablist" aria-label="Room" onKeyDown={onKeyDown}>
      {TABS.map(({ id, label }) => (
        <button
          key={id}
          id={`room-tab-${id}`}
          type="button"
          role="tab"
          class="room__tab"
          aria-selected={tab === id}
          aria-controls={`room-panel-${id}`}
          tabIndex={tab === id ? 0 : -1}
          onClick={() => onChange(id)}
        >
          {label}
          {id === 'chat' && unread > 0 && (
            <span class="room__badge">
              {unread}
              <span class="sr-only"> new {unread === 1 ? 'message' : 'messages'}</span>
            </span>
          )}
        </button>
      ))}
    </div>
  )
}
