/** One user in one room for a while: connect through the edge, join, do the planned activity, leave. */
import { clearInterval, setInterval, setTimeout } from 'k6/timers'
import { WebSocket } from 'k6/websockets'
import type {
  ChatMessage,
  ClickPayload,
  JoinRoomAck,
  JoinRoomPayload,
  MessagePayload,
  PagePayload,
  PointerPayload,
  RebalancePayload,
  ScrollPayload,
  SimpleAck,
} from '@hangout/protocol'
import { ClientEvent, PAGE_COUNT, PRODUCT_COUNT, ServerEvent } from './contract.ts'
import { ackErrors, connectErrors, connectJoinMs, deliveries, emitAckMs, fanoutMs, joinAckMs, joined } from './metrics.ts'
import { type ActivityPlan, latencyText, parseLatencyText } from './plans.ts'
import { SocketIoSession, socketIoUrl } from './socketio.ts'

export function runRoomUser(
  baseUrl: string,
  seat: { token: string; roomId: string },
  durationMs: number,
  plan: ActivityPlan,
): void {
  const { token, roomId } = seat
  let ws: WebSocket | undefined
  let session: SocketIoSession | undefined
  let inRoom = false
  let finished = false
  const timers: number[] = []

  const emit = (name: string, payload: unknown) => {
    if (!session || !inRoom) return
    const sentAt = Date.now()
    session.emitWithAck(name, [payload], (args) => {
      emitAckMs.add(Date.now() - sentAt, { event: name })
      const ack = args[0] as SimpleAck
      if (!ack.ok) ackErrors.add(1, { event: name, code: ack.error.code })
    })
  }

  const join = (openedAt: number) => {
    const sentAt = Date.now()
    const payload: JoinRoomPayload = { roomId }
    session?.emitWithAck(ClientEvent.joinRoom, [payload], (args) => {
      const ack = args[0] as JoinRoomAck
      const now = Date.now()
      joined.add(ack.ok)
      if (!ack.ok) {
        ackErrors.add(1, { event: ClientEvent.joinRoom, code: ack.error.code })
        return
      }
      joinAckMs.add(now - sentAt)
      connectJoinMs.add(now - openedAt)
      inRoom = true
    })
  }

  const connect = () => {
    const openedAt = Date.now()
    const socket = new WebSocket(socketIoUrl(baseUrl, { room: roomId }))
    const client = new SocketIoSession((frame) => socket.send(frame), {
      auth: { token },
      onConnect: () => join(openedAt),
      onConnectError: (message) => {
        connectErrors.add(1, { reason: message })
        joined.add(false)
        socket.close()
      },
    })
    socket.onmessage = (event) => {
      if (typeof event?.data === 'string') client.receive(event.data)
    }
    client.on(ServerEvent.message, (args) => {
      deliveries.add(1, { event: ServerEvent.message })
      const tagged = parseLatencyText((args[0] as ChatMessage).text)
      if (tagged && tagged.sender !== String(__VU)) fanoutMs.add(Date.now() - tagged.sentAtMs)
    })
    for (const name of [ServerEvent.userClicked, ServerEvent.scrollUpdated, ServerEvent.pageChanged]) {
      client.on(name, () => deliveries.add(1, { event: name }))
    }
    client.on(ServerEvent.rebalance, (args) => {
      // The room moved to another node: reconnect through the edge after the delay, as the web app does.
      inRoom = false
      client.disconnect()
      socket.close()
      if (!finished) setTimeout(connect, (args[0] as RebalancePayload).delayMs)
    })
    ws = socket
    session = client
  }

  const every = (perSec: number, act: () => void) => {
    if (perSec <= 0) return
    const periodMs = 1000 / perSec
    // A random phase so that the users of a room do not emit in lockstep.
    setTimeout(
      () => {
        if (!finished) timers.push(setInterval(act, periodMs))
      },
      plan.warmupMs + Math.random() * periodMs,
    )
  }

  connect()
  let sentChats = 0
  every(plan.chatPerSec, () => {
    sentChats++
    // A clientId on every message, as the contract asks of clients: unique per VU, iteration and message.
    const clientId = `k6-${__VU}-${__ITER}-${sentChats}`
    const payload: MessagePayload = { roomId, text: latencyText(String(__VU), Date.now()), clientId }
    emit(ClientEvent.message, payload)
  })
  every(plan.scrollPerSec, () => {
    const payload: ScrollPayload = { roomId, top: Math.round(Math.random() * 1000) / 1000 }
    emit(ClientEvent.scroll, payload)
  })
  every(plan.clickPerSec, () => {
    const payload: ClickPayload = { roomId, productId: 1 + Math.floor(Math.random() * PRODUCT_COUNT) }
    emit(ClientEvent.click, payload)
  })
  every(plan.pagePerSec, () => {
    const payload: PagePayload = { roomId, page: 1 + Math.floor(Math.random() * PAGE_COUNT) }
    emit(ClientEvent.page, payload)
  })
  every(plan.pointerPerSec ?? 0, () => {
    const payload: PointerPayload = { roomId, x: Math.random(), y: Math.random() }
    emit(ClientEvent.pointer, payload)
  })
  setTimeout(() => {
    finished = true
    for (const timer of timers) clearInterval(timer)
    session?.disconnect()
    ws?.close()
  }, durationMs)
}
