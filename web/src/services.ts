import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { type ApiClient, createApiClient } from './api.js'
import { createRouter, type Router } from './router.js'
import { createSessionStore, SESSION_KEY, type SessionStore } from './session.js'
import { createToasts, type Toasts } from './toasts.js'

/** What every screen of the app uses, made once by main and handed down by context. */
export interface Services {
  session: SessionStore
  api: ApiClient
  router: Router
  toasts: Toasts
  origin: string
}

export function createServices(win: Window): Services {
  const session = createSessionStore(win.localStorage)
  // `storage` fires in the other tabs of this origin only: a sign-in or sign-out there reaches this one.
  win.addEventListener('storage', (event) => {
    if (event.key === SESSION_KEY || event.key === null) session.sync()
  })
  return {
    session,
    api: createApiClient(session),
    router: createRouter(win),
    toasts: createToasts(),
    origin: win.location.origin,
  }
}

export const ServicesContext = createContext<Services | null>(null)

export function useServices(): Services {
  const services = useContext(ServicesContext)
  if (!services) throw new Error('useServices outside ServicesContext')
  return services
}
