import {
  type AckError,
  ClientEvent,
  type ClientToServerEvents,
  HANDSHAKE_UNAUTHORIZED,
  type JoinRoomOk,
  type MessageAck,
  ServerEvent,
  type ServerToClientEvents,
  type SimpleAck,
} from '@hangout/protocol'
import { signal } from '@preact/signals-core'
import { io, type Socket } from 'socket.io-client'
import { browserOffline, watchNetwork } from './network-status.js'
import { joinRefusalIsFinal, REJOIN_DELAY_MS } from './join-refusal.js'
import { watchSilence } from './silence.js'

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline'
type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>
/** Events a view may leave unhandled until it shows them. */
type OptionalRoomEvents = 'user_typing' | 'pointer_moved' | 'message_edited' | 'message_deleted'
type RoomEvents = Omit<ServerToClientEvents, 'rebalance' | OptionalRoomEvents> &
  Partial<Pick<ServerToClientEvents, OptionalRoomEvents>>

export interface RoomConnectionOptions {
  /** The edge's origin; the app's own in the browser. */
  origin: string
  roomId: string
  /** Read at every (re)connect, so a reconnect carries the current token. */
  token: () => string | null
  /** A (re)join is on its way: events from now on may be newer than its acknowledgement. */
  onJoining(): void
  /** Every (re)join's acknowledgement: the room as it stands now. */
  onJoined(ack: JoinRoomOk): void
  /** The room cannot be joined (unknown room); the connection has stopped. */
  onJoinRefused(error: AckError['error']): void
  /** The handshake refused the token; the connection has stopped. */
  onUnauthorized(): void
  events: RoomEvents
}

/** How long an emit waits for its acknowledgement. */
const ACK_TIMEOUT_MS = 8000

/**
 * One socket for one open room: it joins on every (re)connect, follows `rebalance`, and tells its
 * state (connecting, connected, reconnecting, offline) through `status`.
 */
export function connectRoom(options: RoomConnectionOptions) {
  const { roomId } = options
  const status = signal<ConnectionStatus>('connecting')
  /** The gateway node that serves the room, from the last join. */
  const node = signal<string | null>(null)
  let closed = false
  let joinedOnce = false
  /** Whether the socket is in the room now: emits wait for it rather than pile up in socket.io's buffer. */
  let joined = false
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (run: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!closed) run()
    }, ms)
    timers.add(timer)
  }

  const socket: RoomSocket = io(options.origin, {
    path: '/socket.io',
    query: { room: roomId },
    auth: (send) => send({ token: options.token() ?? '' }),
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  })

  const waiting = (): ConnectionStatus => {
    if (browserOffline()) return 'offline'
    return joinedOnce ? 'reconnecting' : 'connecting'
  }

  async function join(): Promise<void> {
    let ack: Awaited<ReturnType<typeof socket.emitWithAck<'join_room'>>>
    options.onJoining()
    try {
      ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.joinRoom, { roomId })
    } catch {
      // No answer in time: drop the socket and let the manager connect again.
      if (!closed && socket.connected) {
        socket.disconnect()
        later(() => socket.connect(), REJOIN_DELAY_MS)
      }
      return
    }
    if (closed) return
    if (ack.ok) {
      joinedOnce = true
      joined = true
      node.value = ack.node
      status.value = 'connected'
      options.onJoined(ack)
    } else if (joinRefusalIsFinal(ack.error.code)) {
      close()
      options.onJoinRefused(ack.error)
    } else {
      later(() => void join(), REJOIN_DELAY_MS)
    }
  }

  /** Counts connections, so a delayed switch can tell whether the socket has moved meanwhile. */
  let connections = 0
  let stopWatching: (() => void) | undefined
  socket.on('connect', () => {
    connections += 1
    stopWatching?.()
    const engine = socket.io.engine
    // A node that stopped answering keeps its socket open: the badge goes by what is heard, not by the socket's state.
    stopWatching = watchSilence(
      engine,
      () => {
        if (!closed && status.peek() === 'connected') status.value = 'reconnecting'
      },
      () => {
        if (!closed && joined && status.peek() === 'reconnecting') status.value = 'connected'
      },
    )
    void join()
  })
  socket.on('disconnect', (reason) => {
    joined = false
    stopWatching?.()
    stopWatching = undefined
    if (closed) return
    status.value = waiting()
    // The server closed this socket on purpose (a drain, a kick): the manager does not retry by itself.
    if (reason === 'io server disconnect') later(() => socket.connect(), REJOIN_DELAY_MS)
  })
  socket.on('connect_error', (error) => {
    if (closed) return
    if (error.message === HANDSHAKE_UNAUTHORIZED) {
      close()
      options.onUnauthorized()
      return
    }
    status.value = waiting()
    // A refusal by a middleware stops the manager's retries; keep trying while the page is open.
    if (!socket.active) later(() => socket.connect(), 2000)
  })
  socket.on(ServerEvent.rebalance, (payload) => {
    if (payload.roomId !== roomId || closed) return
    // Stay in the room until it is time to move, then switch in one step: nothing is missed while
    // waiting, and the disconnect grace is not spent on the delay. A disconnect in between (a drain
    // closing the socket) already moves it, so the switch is dropped then.
    const connection = connections
    later(() => {
      if (connection !== connections || !socket.connected) return
      joined = false
      status.value = 'reconnecting'
      socket.disconnect().connect()
    }, payload.delayMs)
  })
  const { events } = options
  socket.on(ServerEvent.userJoined, events.user_joined)
  socket.on(ServerEvent.userLeaved, events.user_leaved)
  socket.on(ServerEvent.message, events.message)
  socket.on(ServerEvent.userClicked, events.user_clicked)
  socket.on(ServerEvent.scrollUpdated, events.scroll_updated)
  socket.on(ServerEvent.pageChanged, events.page_changed)
  if (events.user_typing) socket.on(ServerEvent.userTyping, events.user_typing)
  if (events.pointer_moved) socket.on(ServerEvent.pointerMoved, events.pointer_moved)
  if (events.message_edited) socket.on(ServerEvent.messageEdited, events.message_edited)
  if (events.message_deleted) socket.on(ServerEvent.messageDeleted, events.message_deleted)

  // The browser knows before the heartbeat does: an open WebSocket outlives the network by up to a
  // ping timeout, showing "connected" while nothing gets through. Let it go; `online` joins again.
  const onOffline = () => {
    if (closed) return
    joined = false
    status.value = 'offline'
    socket.disconnect()
  }
  const onOnline = () => {
    if (!socket.connected && !closed) {
      status.value = waiting()
      socket.connect()
    }
  }
  const unwatchNetwork = watchNetwork(onOffline, onOnline)

  const notJoined = { ok: false, error: { code: 'NOT_IN_ROOM', message: 'Not connected. Try again in a moment.' } } as const

  async function simple(emit: () => Promise<SimpleAck>): Promise<SimpleAck> {
    if (!joined) return notJoined
    try {
      return await emit()
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: 'The server did not answer in time.' } }
    }
  }

  async function withMessage(emit: () => Promise<MessageAck>): Promise<MessageAck> {
    if (!joined) return notJoined
    try {
      return await emit()
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: 'The server did not answer in time.' } }
    }
  }

  function close(): void {
    if (closed) return
    closed = true
    stopWatching?.()
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
    unwatchNetwork()
    if (socket.connected) socket.emit(ClientEvent.leaveRoom, { roomId }, () => socket.disconnect())
    else socket.disconnect()
    // Do not wait long for the leave's ack: the page has moved on.
    setTimeout(() => socket.disconnect(), 1000)
    status.value = 'offline'
  }

  return {
    status,
    node,
    /** `clientId` makes a resend of the same message (after a timeout) land once. */
    send: (text: string, clientId: string) =>
      withMessage(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.message, { roomId, text, clientId })),
    edit: (id: string, text: string) =>
      withMessage(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.editMessage, { roomId, id, text })),
    remove: (id: string) => simple(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.deleteMessage, { roomId, id })),
    typing: () => simple(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.typing, { roomId })),
    pointer: (x: number, y: number) =>
      simple(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.pointer, { roomId, x, y })),
    click: (productId: number) =>
      simple(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.click, { roomId, productId })),
    scroll: (top: number) => simple(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.scroll, { roomId, top })),
    page: (page: number) => simple(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(ClientEvent.page, { roomId, page })),
    close,
  }
}

export type RoomConnection = ReturnType<typeof connectRoom>
