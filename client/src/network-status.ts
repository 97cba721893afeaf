/**
 * The browser's own view of the network, where there is one (Node, the load driver and the tests
 * have none): typed here so the client needs no DOM typings.
 */
interface NetworkHost {
  navigator?: { onLine?: boolean }
  addEventListener?(type: 'online' | 'offline', listener: () => void): void
  removeEventListener?(type: 'online' | 'offline', listener: () => void): void
}

const host = globalThis as unknown as NetworkHost

/** True only when a browser says it is offline. */
export function browserOffline(): boolean {
  return host.navigator?.onLine === false
}

/** Calls back on the browser's offline and online events; returns the unsubscribe. */
export function watchNetwork(onOffline: () => void, onOnline: () => void): () => void {
  host.addEventListener?.('offline', onOffline)
  host.addEventListener?.('online', onOnline)
  return () => {
    host.removeEventListener?.('offline', onOffline)
    host.removeEventListener?.('online', onOnline)
  }
}
