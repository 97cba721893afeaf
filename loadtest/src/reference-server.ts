/**
 * The bench's reference: a bare Socket.IO server (rooms, broadcast to a room, acks; nothing else)
 * that speaks the contract's join_room / leave_room / message / click_event / scroll_update with
 * the same event names and payload shapes, so the same load driver drives it and a Hangout gateway.
 * No store, no Redis, no validation, no rate limits; the auth token is accepted unread. A join
 * tells the room's other sockets (`user_joined`), as a plain Socket.IO app would.
 * Run: PORT=<port> node --import tsx loadtest/src/reference-server.ts (GET /healthz answers 200).
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import {
  type ChatMessage,
  type ClientToServerEvents,
  INITIAL_ROOM_STATE,
  type PublicUser,
  type ServerToClientEvents,
} from '@hangout/protocol'
import { Server } from 'socket.io'

const NODE_ID = 'bare-socket.io'
const port = Number(process.env.PORT)
if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set to a port number')

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' }).end(req.url === '/healthz' ? 'ok' : '')
})
const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io' })
const seqs = new Map<string, number>()
const count = (roomId: string) => io.sockets.adapter.rooms.get(roomId)?.size ?? 0

io.on('connection', (socket) => {
  const user: PublicUser = { id: socket.id, name: 'guest' }
  // The handlers answer the contract's success acks; the casts stand for payload checks the reference does not make.
  socket.on('join_room', ({ roomId }, ack) => {
    socket.join(roomId)
    socket.to(roomId).emit('user_joined', { roomId, user, count: count(roomId) })
    const room = { id: roomId, name: roomId, ownerId: user.id, createdAt: new Date(0).toISOString() }
    ack({ ok: true, node: NODE_ID, room, participants: [user], state: INITIAL_ROOM_STATE, history: [] })
  })
  socket.on('leave_room', ({ roomId }, ack) => {
    socket.leave(roomId)
    io.to(roomId).emit('user_leaved', { roomId, user, count: count(roomId) })
    ack({ ok: true })
  })
  socket.on('message', ({ roomId, text }, ack) => {
    const seq = (seqs.get(roomId) ?? 0) + 1
    seqs.set(roomId, seq)
    const message: ChatMessage = { id: randomUUID(), roomId, seq, user, text, ts: Date.now() }
    io.to(roomId).emit('message', message)
    ack({ ok: true, message })
  })
  socket.on('click_event', ({ roomId, productId }, ack) => {
    socket.to(roomId).emit('user_clicked', { roomId, user, productId })
    ack({ ok: true })
  })
  socket.on('scroll_update', ({ roomId, top }, ack) => {
    socket.to(roomId).emit('scroll_updated', { roomId, user, top })
    ack({ ok: true })
  })
  socket.on('disconnecting', () => {
    for (const roomId of socket.rooms)
      if (roomId !== socket.id) socket.to(roomId).emit('user_leaved', { roomId, user, count: count(roomId) - 1 })
  })
})

http.listen(port, '127.0.0.1', () => process.stdout.write(`reference server on ${port}\n`))
const stop = () => io.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
