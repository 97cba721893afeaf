import { useEffect } from 'preact/hooks'
import { useServices } from '../services.js'
import { AuthPage } from './AuthPage.js'
import { Header } from './Header.js'
import { Lobby } from './Lobby.js'
import { NotFound } from './NotFound.js'
import { RoomPage } from './RoomPage.js'
import { ToastRegion } from './ToastRegion.js'

/** Picks the screen for the route, sending signed-out people to sign in and signed-in ones past it. */
export function App() {
  const { router, session } = useServices()
  const route = router.route.value
  const signedIn = session.current.value !== null
  const needsSession = route.name === 'lobby' || route.name === 'room'

  useEffect(() => {
    if (needsSession && !signedIn) {
      const here = window.location.pathname + window.location.search + window.location.hash
      router.navigate(here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`, { replace: true })
    } else if (signedIn && (route.name === 'login' || route.name === 'register')) {
      router.navigate(route.next ?? '/', { replace: true })
    }
  }, [needsSession, signedIn, route, router])

  // A new screen (signed in, signed up, another route): the keyboard and the reader start at its
  // heading, not on the body. The room focuses its own once it has loaded.
  const screenKey = route.name === 'room' ? `room:${route.roomId}` : route.name
  useEffect(() => {
    if (route.name === 'room') return
    const heading = document.querySelector<HTMLElement>('main h1')
    if (!heading) return
    heading.tabIndex = -1
    heading.focus()
  }, [screenKey, signedIn])

  let screen = null
  if (route.name === 'login' || route.name === 'register') {
    if (!signedIn) screen = <AuthPage mode={route.name} next={route.next} />
  } else if (route.name === 'notFound') {
    screen = <NotFound />
  } else if (signedIn) {
    screen = route.name === 'lobby' ? <Lobby /> : <RoomPage key={route.roomId} roomId={route.roomId} />
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" class={route.name === 'room' ? 'main main--room' : 'main'} tabIndex={-1}>
        {screen}
      </main>
      <ToastRegion />
    </>
  )
}
