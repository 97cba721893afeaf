/** Every scenario's knobs, from k6's environment (`k6 run -e ROOMS=50 ...`). */
export interface LoadConfig {
  /** The edge, e.g. http://127.0.0.1:8080 (REST under /api, sockets under /socket.io). */
  baseUrl: string
  rooms: number
  usersPerRoom: number
  /** Per room: chat messages per second (chat-fanout, soak) or scroll updates per second (co-browse). */
  rate: number
  /** How long each user stays connected and active, in seconds. */
  durationS: number
}

export function loadConfig(defaults: Omit<LoadConfig, 'baseUrl'>): LoadConfig {
  return {
    baseUrl: (__ENV.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    rooms: positiveInt('ROOMS', defaults.rooms),
    usersPerRoom: positiveInt('USERS_PER_ROOM', defaults.usersPerRoom),
    rate: positiveNumber('RATE', defaults.rate),
    durationS: __ENV.DURATION ? parseDuration(__ENV.DURATION) : defaults.durationS,
  }
}

/** A threshold bound in milliseconds, overridable by env (e.g. FANOUT_P99_MS=50). */
export function thresholdMs(name: string, fallback: number): number {
  return positiveNumber(name, fallback)
}

function positiveInt(name: string, fallback: number): number {
  const value = positiveNumber(name, fallback)
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, got ${__ENV[name]}`)
  return value
}

function positiveNumber(name: string, fallback: number): number {
  const raw = __ENV[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`)
  return value
}

/** '90s', '5m', '1h' or plain seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim())
  if (!match) throw new Error(`DURATION must look like 30s, 5m or 1h, got ${JSON.stringify(text)}`)
  const unit = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1
  return Number(match[1]) * unit
}
