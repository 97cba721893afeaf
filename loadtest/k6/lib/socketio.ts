/**
 * Engine.IO v4 / Socket.IO v5 framing over a plain WebSocket, for k6 (which speaks WebSocket, not
 * Socket.IO). Pure TypeScript without Node or browser APIs, so k6 runs it and Node tests it.
 * Text packets only: binary events and attachments are refused with a ProtocolError.
 */

/** Engine.IO v4 packet types: the first character of every frame. */
export const EngineType = { open: '0', close: '1', ping: '2', pong: '3', message: '4', upgrade: '5', noop: '6' } as const

/** Socket.IO v5 packet types: the first character after the Engine.IO message type. */
export const SocketType = { connect: 0, disconnect: 1, event: 2, ack: 3, connectError: 4, binaryEvent: 5, binaryAck: 6 } as const

export class ProtocolError extends Error {
  override name = 'ProtocolError'
}

/** What the server says in its Engine.IO open packet. */
export interface OpenInfo {
  sid: string
  upgrades: string[]
  pingInterval: number
  pingTimeout: number
  maxPayload: number
}

export type EnginePacket =
  | { type: 'open'; open: OpenInfo }
  | { type: 'close' }
  | { type: 'ping'; data: string }
  | { type: 'pong'; data: string }
  | { type: 'message'; data: string }
  | { type: 'noop' }

export type SocketPacket =
  | { type: 'connect'; nsp: string; sid: string }
  | { type: 'connect_error'; nsp: string; message: string; data?: unknown }
  | { type: 'disconnect'; nsp: string }
  | { type: 'event'; nsp: string; id?: number; name: string; args: unknown[] }
  | { type: 'ack'; nsp: string; id: number; args: unknown[] }

/** The WebSocket URL of a Socket.IO server: http(s) becomes ws(s), the Engine.IO query is added. */
export function socketIoUrl(baseUrl: string, query: Record<string, string> = {}, path = '/socket.io/'): string {
  const base = baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')
  const params = { ...query, EIO: '4', transport: 'websocket' }
  const search = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&')
  return `${base}${path}?${search}`
}

export function decodeEnginePacket(frame: string): EnginePacket {
  const data = frame.slice(1)
  switch (frame[0]) {
    case EngineType.open:
      return { type: 'open', open: parseOpen(data) }
    case EngineType.close:
      return { type: 'close' }
    case EngineType.ping:
      return { type: 'ping', data }
    case EngineType.pong:
      return { type: 'pong', data }
    case EngineType.message:
      return { type: 'message', data }
    case EngineType.noop:
      return { type: 'noop' }
    default:
      throw new ProtocolError(`unknown Engine.IO packet type in ${preview(frame)}`)
  }
}

function parseOpen(data: string): OpenInfo {
  const open = parseJson(data) as Partial<OpenInfo> | null
  if (!open || typeof open.sid !== 'string' || typeof open.pingInterval !== 'number' || typeof open.pingTimeout !== 'number') {
    throw new ProtocolError(`malformed Engine.IO open packet ${preview(data)}`)
  }
  return {
    sid: open.sid,
    upgrades: Array.isArray(open.upgrades) ? open.upgrades : [],
    pingInterval: open.pingInterval,
    pingTimeout: open.pingTimeout,
    maxPayload: typeof open.maxPayload === 'number' ? open.maxPayload : 0,
  }
}

/** Decodes the Socket.IO packet carried by an Engine.IO message (the frame without its leading '4'). */
export function decodeSocketPacket(text: string): SocketPacket {
  const type = Number(text[0])
  let at = 1
  if (type === SocketType.binaryEvent || type === SocketType.binaryAck) {
    throw new ProtocolError('binary Socket.IO packets are not supported by this helper')
  }
  let nsp = '/'
  if (text[at] === '/') {
    const comma = text.indexOf(',', at)
    nsp = comma === -1 ? text.slice(at) : text.slice(at, comma)
    at = comma === -1 ? text.length : comma + 1
  }
  const idStart = at
  while (at < text.length && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++
  const id = at > idStart ? Number(text.slice(idStart, at)) : undefined
  const payload = at < text.length ? parseJson(text.slice(at)) : undefined

  switch (type) {
    case SocketType.connect: {
      const sid = (payload as { sid?: unknown } | undefined)?.sid
      if (typeof sid !== 'string') throw new ProtocolError(`CONNECT without sid: ${preview(text)}`)
      return { type: 'connect', nsp, sid }
    }
    case SocketType.connectError: {
      const body = payload as { message?: unknown; data?: unknown } | undefined
      const message = typeof body?.message === 'string' ? body.message : String(payload)
      return body?.data === undefined
        ? { type: 'connect_error', nsp, message }
        : { type: 'connect_error', nsp, message, data: body.data }
    }
    case SocketType.disconnect:
      return { type: 'disconnect', nsp }
    case SocketType.event: {
      if (!Array.isArray(payload) || typeof payload[0] !== 'string') {
        throw new ProtocolError(`EVENT without a name: ${preview(text)}`)
      }
      const [name, ...args] = payload as [string, ...unknown[]]
      return id === undefined ? { type: 'event', nsp, name, args } : { type: 'event', nsp, id, name, args }
    }
    case SocketType.ack:
      if (id === undefined || !Array.isArray(payload)) throw new ProtocolError(`malformed ACK: ${preview(text)}`)
      return { type: 'ack', nsp, id, args: payload }
    default:
      throw new ProtocolError(`unknown Socket.IO packet type in ${preview(text)}`)
  }
}

function nspPrefix(nsp: string): string {
  return nsp === '/' ? '' : `${nsp},`
}

/** The Engine.IO frame asking to join a namespace, with the handshake's `auth` object. */
export function encodeConnect(auth?: Record<string, unknown>, nsp = '/'): string {
  return `${EngineType.message}${SocketType.connect}${nspPrefix(nsp)}${auth ? JSON.stringify(auth) : ''}`
}

export function encodeDisconnect(nsp = '/'): string {
  return `${EngineType.message}${SocketType.disconnect}${nspPrefix(nsp)}`
}

export function encodeEvent(name: string, args: unknown[], id?: number, nsp = '/'): string {
  return `${EngineType.message}${SocketType.event}${nspPrefix(nsp)}${id ?? ''}${JSON.stringify([name, ...args])}`
}

export function encodeAck(id: number, args: unknown[], nsp = '/'): string {
  return `${EngineType.message}${SocketType.ack}${nspPrefix(nsp)}${id}${JSON.stringify(args)}`
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new ProtocolError(`invalid JSON in packet: ${preview(text)}`)
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}

export type EventHandler = (args: unknown[], ack?: (...reply: unknown[]) => void) => void

export interface SessionOptions {
  /** Sent with the namespace CONNECT (Socket.IO's `auth`, e.g. `{ token }`). */
  auth?: Record<string, unknown>
  nsp?: string
  onConnect?: (sid: string) => void
  onConnectError?: (message: string, data?: unknown) => void
  /** The server closed the namespace or the Engine.IO session. */
  onDisconnect?: (reason: string) => void
}

/**
 * One Socket.IO client over one WebSocket: feed it every text frame with `receive`, and it answers
 * pings, connects to the namespace after the open packet, dispatches events and resolves acks.
 */
export class SocketIoSession {
  open: OpenInfo | undefined
  sid: string | undefined
  private nextAckId = 0
  private readonly acks = new Map<number, (args: unknown[]) => void>()
  private readonly handlers = new Map<string, EventHandler[]>()
  private readonly nsp: string

  constructor(
    private readonly send: (frame: string) => void,
    private readonly options: SessionOptions = {},
  ) {
    this.nsp = options.nsp ?? '/'
  }

  get connected(): boolean {
    return this.sid !== undefined
  }

  /** Acks asked for and not yet answered. */
  get pendingAcks(): number {
    return this.acks.size
  }

  on(name: string, handler: EventHandler): void {
    const list = this.handlers.get(name) ?? []
    list.push(handler)
    this.handlers.set(name, list)
  }

  emit(name: string, ...args: unknown[]): void {
    this.send(encodeEvent(name, args, undefined, this.nsp))
  }

  /** Emits with an ack id; `onAck` gets the server's ack arguments. Returns the ack id. */
  emitWithAck(name: string, args: unknown[], onAck: (args: unknown[]) => void): number {
    const id = this.nextAckId++
    this.acks.set(id, onAck)
    this.send(encodeEvent(name, args, id, this.nsp))
    return id
  }

  /** Leaves the namespace; the caller closes the WebSocket. */
  disconnect(): void {
    if (this.connected) this.send(encodeDisconnect(this.nsp))
    this.sid = undefined
    this.acks.clear()
  }

  receive(frame: string): void {
    const packet = decodeEnginePacket(frame)
    switch (packet.type) {
      case 'open':
        this.open = packet.open
        this.send(encodeConnect(this.options.auth, this.nsp))
        return
      case 'ping':
        this.send(`${EngineType.pong}${packet.data}`)
        return
      case 'close':
        this.sid = undefined
        this.options.onDisconnect?.('transport close')
        return
      case 'message':
        this.receiveSocketPacket(decodeSocketPacket(packet.data))
        return
      default:
        return
    }
  }

  private receiveSocketPacket(packet: SocketPacket): void {
    if (packet.nsp !== this.nsp) return
    switch (packet.type) {
      case 'connect':
        this.sid = packet.sid
        this.options.onConnect?.(packet.sid)
        return
      case 'connect_error':
        this.options.onConnectError?.(packet.message, packet.data)
        return
      case 'disconnect':
        this.sid = undefined
        this.options.onDisconnect?.('io server disconnect')
        return
      case 'ack': {
        const onAck = this.acks.get(packet.id)
        if (!onAck) return
        this.acks.delete(packet.id)
        onAck(packet.args)
        return
      }
      case 'event': {
        const id = packet.id
        const ack = id === undefined ? undefined : (...reply: unknown[]) => this.send(encodeAck(id, reply, this.nsp))
        for (const handler of this.handlers.get(packet.name) ?? []) handler(packet.args, ack)
        return
      }
    }
  }
}
