/**
 * The gateway pings every 4 s (the gateway's PING_INTERVAL_MS); Engine.IO gives up only
 * after pingInterval + pingTimeout (7 s). A socket that has heard nothing for a ping interval and
 * a second of slack is already suspect: saying "reconnecting" then keeps the badge honest while a
 * frozen node holds the connection open.
 */
export const SILENCE_MS = 5000
const CHECK_EVERY_MS = 1000

/** Something that says when it hears from the server (an Engine.IO socket's `heartbeat`: any packet). */
export interface Heartbeats {
  on(event: 'heartbeat', listener: () => void): unknown
  off(event: 'heartbeat', listener: () => void): unknown
}

/**
 * Calls `onSilent` once the server has been silent for `silenceMs`, and `onHeard` when it speaks
 * again after that. Returns a stop function.
 */
export function watchSilence(
  source: Heartbeats,
  onSilent: () => void,
  onHeard: () => void,
  silenceMs = SILENCE_MS,
  now: () => number = Date.now,
): () => void {
  let lastHeard = now()
  let silent = false
  const heard = () => {
    lastHeard = now()
    if (silent) {
      silent = false
      onHeard()
    }
  }
  source.on('heartbeat', heard)
  const timer = setInterval(
    () => {
      if (!silent && now() - lastHeard > silenceMs) {
        silent = true
        onSilent()
      }
    },
    Math.min(CHECK_EVERY_MS, silenceMs / 4),
  )
  return () => {
    clearInterval(timer)
    source.off('heartbeat', heard)
  }
}
