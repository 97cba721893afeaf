import type { RoomSummary } from '@hangout/protocol'
import { useEffect, useState } from 'preact/hooks'
import { copyText, inviteLink } from '../copyText.js'
import { roomPath } from '../routes.js'
import { useServices } from '../services.js'
import { Link } from './Link.js'

const REFRESH_MS = 5000

export function RecentRooms() {
  const { api, toasts, origin } = useServices()
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    const load = () =>
      api.listRooms().then(
        (list) => {
          if (!live) return
          setRooms(list)
          setError(null)
        },
        (failure: Error) => live && setError(failure.message),
      )
    void load()
    const timer = setInterval(load, REFRESH_MS)
    const onFocus = () => void load()
    window.addEventListener('focus', onFocus)
    return () => {
      live = false
      clearInterval(timer)
      window.removeEventListener('focus', onFocus)
    }
  }, [api])

  async function copy(room: RoomSummary) {
    const link = inviteLink(origin, roomPath(room.id), room.name)
    toasts.show((await copyText(link)) ? `Invite link to ${room.name} copied` : `Copy this link: ${link}`)
  }

  return (
    <section class="panel" aria-labelledby="recent-title">
      <h2 id="recent-title">Your rooms</h2>
      {error && <p class="form-error">{error}</p>}
      {rooms === null && !error && <p class="muted">Loading rooms…</p>}
      {rooms?.length === 0 && <p class="muted">No rooms yet. Start one above, or open an invite link.</p>}
      {rooms && rooms.length > 0 && (
        <ul class="rooms" aria-label="Your rooms">
          {rooms.map((room) => (
            <li key={room.id} class="rooms__item">
              <Link href={roomPath(room.id)} class="rooms__name">
                {room.name}
              </Link>
              <span class={room.online > 0 ? 'rooms__online rooms__online--live' : 'rooms__online'}>{room.online} online</span>
              <button
                type="button"
                class="button button--quiet button--small"
                aria-label={`Copy invite link to ${room.name}`}
                onClick={() => copy(room)}
              >
                Copy invite link
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
