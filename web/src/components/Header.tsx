import { useServices } from '../services.js'
import { initial } from '../format.js'
import { userColor } from '../userColor.js'
import { Link } from './Link.js'

export function Header() {
  const { session, router, api } = useServices()
  const user = session.current.value?.user
  return (
    <header class="topbar">
      <Link href="/" class="brand">
        <span class="brand__mark" aria-hidden="true" />
        Hangout
      </Link>
      {user && (
        <div class="topbar__user">
          <span class="avatar" aria-hidden="true" style={{ backgroundColor: userColor(user.id) }}>
            {initial(user.name)}
          </span>
          <span class="topbar__name">{user.name}</span>
          <button
            type="button"
            class="button button--quiet"
            onClick={async () => {
              // Revoke first; signed out here whatever the answer (offline, or already expired).
              await api.logout().catch(() => undefined)
              session.end()
              router.navigate('/login')
            }}
          >
            Sign out
          </button>
        </div>
      )}
    </header>
  )
}
