import type { RoomStore } from '../roomStore.js'

/**
 * Others' pointers over the catalog, each in its owner's colour with their name. Positioned in the
 * scrolled content (fractions of its width and scrollable height), so a pointer stays on the product
 * it points at; decorative for screen readers, whom the highlights and the chat already tell.
 */
export function Pointers({ store, width, height }: { store: RoomStore; width: number; height: number }) {
  const pointers = [...store.pointers.value.values()]
  return (
    <div class="pointers" aria-hidden="true">
      {pointers.map(({ user, x, y }) => (
        <span
          key={user.id}
          class="pointer"
          data-user={user.name}
          style={{
            transform: `translate(${Math.round(x * width)}px, ${Math.round(y * height)}px)`,
            color: store.colorOf(user.id),
          }}
        >
          <svg class="pointer__arrow" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d="M1 1 L1 13 L4.5 9.5 L7 15 L9 14 L6.6 8.6 L11.5 8.5 Z" fill="currentColor" stroke="#fff" stroke-width="1" />
          </svg>
          <span class="pointer__name" style={{ backgroundColor: store.colorOf(user.id) }}>
            {user.name}
          </span>
        </span>
      ))}
    </div>
  )
}
