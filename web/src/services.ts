import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { type ApiClient, createApiClient } from './api.js'
import { createRouter, type Router } from './router.js'
import { createSessionStore, type SessionStore } from './session.js'
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
