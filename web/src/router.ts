import { signal } from '@preact/signals'
import { parseRoute, type Route } from './routes.js'

/** The History API as signals: `route` follows pushState and the back button. */
export function createRouter(win: Window) {
  const read = () => parseRoute(win.location.pathname, win.location.search)
  const route = signal<Route>(read())
  win.addEventListener('popstate', () => {
    route.value = read()
  })
  function navigate(path: string, { replace = false } = {}): void {
    if (replace) win.history.replaceState(null, '', path)
    else win.history.pushState(null, '', path)
    route.value = read()
    if (!replace) win.scrollTo(0, 0)
  }
  return { route, navigate }
}

export type Router = ReturnType<typeof createRouter>
