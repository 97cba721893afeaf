import { initial } from '../format.js'
import type { RoomStore } from '../roomStore.js'

/** Who is here; `stale` while not connected, when the list is only what was true at the last connection. */
export function Participants({ store, stale }: { store: RoomStore; stale: boolean }) {
  const people = store.participants.value
  const meId = store.me.id
  const sorted = [...people].sort((a, b) => (a.id === meId ? -1 : b.id === meId ? 1 : a.name.localeCompare(b.name)))
  return (
    <section class={stale ? 'people people--stale' : 'people'} aria-labelledby="people-title">
      <h2 id="people-title">
        Here now <span class="count">{people.length}</span>
        {stale && <span class="people__stale">as of your last connection</span>}
      </h2>
      <ul class="people__list" aria-label="Participants">
        {sorted.map((user) => (
          <li key={user.id} class="person">
            <span class="avatar avatar--small" aria-hidden="true" style={{ backgroundColor: store.colorOf(user.id) }}>
              {initial(user.name)}
              <span class="avatar__online" />
            </span>
            <span class="person__name">{user.name}</span>
            {user.id === meId && <span class="person__you">you</span>}
            {!stale && <span class="sr-only">, online</span>}
          </li>
        ))}
      </ul>
      {/* While not connected the list is not the truth: "nobody else" would be a guess. */}
      {!stale && people.every((user) => user.id === meId) && (
        <p class="people__alone">Nobody else is here yet. Copy the invite link to bring someone along.</p>
      )}
    </section>
  )
}
