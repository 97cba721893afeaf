import { createServer, type Server as HttpServer } from 'node:http'
import { freePort, waitFor } from '@hangout/infra/process'
import { HANDSHAKE_UNAUTHORIZED } from '@hangout/protocol'
import { Server } from 'socket.io'
import WebSocket from 'ws'
import {
  decodeEnginePacket,
  decodeSocketPacket,
  encodeEvent,
  ProtocolError,
  type SessionOptions,
  SocketIoSession,
  socketIoUrl,
} from '../k6/lib/socketio.js'

const GOOD_TOKEN = 'good-token'

let http: HttpServer
let io: Server
let baseUrl: string
const clients: WebSocket[] = []

beforeAll(async () => {
  const port = await freePort()
  http = createServer()
  io = new Server(http, { pingInterval: 80, pingTimeout: 200, transports: ['websocket'] })
  const guard = (socket: { handshake: { auth: Record<string, unknown> } }, next: (err?: Error) => void) => {
    if (socket.handshake.auth.token === GOOD_TOKEN) return next()
    const err = new Error(HANDSHAKE_UNAUTHORIZED) as Error & { data: unknown }
    err.data = { reason: 'bad token' }
    next(err)
  }
  io.use(guard)
  io.of('/side').use(guard)
  io.on('connection', (socket) => {
    socket.on('echo', (payload: unknown, ack: (reply: unknown) => void) =>
      ack({ ok: true, payload, token: socket.handshake.auth.token }),
    )
    socket.on('shout', (payload: unknown) => io.emit('heard', payload, socket.id))
    socket.on('ask-me', async () => {
      const reply = await socket.timeout(2000).emitWithAck('question', 41)
      socket.emit('answer-was', reply)
    })
    socket.on('kick', () => socket.disconnect(true))
  })
  io.of('/side').on('connection', (socket) => {
    socket.on('where', (ack: (nsp: string) => void) => ack(socket.nsp.name))
  })
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  for (const ws of clients) ws.terminate()
  await new Promise<void>((resolve) => io.close(() => resolve()))
})

/** A raw WebSocket speaking Socket.IO through the helper, the way a k6 scenario does. */
function connect(options: SessionOptions, nsp?: string) {
  const ws = new WebSocket(socketIoUrl(baseUrl, { room: 'r-1' }))
  clients.push(ws)
  const sent: string[] = []
  const session = new SocketIoSession(
    (frame) => {
      sent.push(frame)
      ws.send(frame)
    },
    { ...options, ...(nsp ? { nsp } : {}) },
  )
  ws.on('message', (data) => session.receive(data.toString()))
  return { ws, session, sent }
}

function connected(options: SessionOptions = {}, nsp?: string) {
  return new Promise<ReturnType<typeof connect> & { sid: string }>((resolve, reject) => {
    const client = connect(
      {
        auth: { token: GOOD_TOKEN },
        ...options,
        onConnect: (sid) => resolve({ ...client, sid }),
        onConnectError: (message) => reject(new Error(message)),
      },
      nsp,
    )
  })
}

test('opens, connects with auth, and the server sees the same socket id and token', async () => {
  const { session, sid } = await connected()
  expect(session.open?.pingInterval).toBe(80)
  expect(session.connected).toBe(true)
  const serverSocket = io.of('/').sockets.get(sid)
  expect(serverSocket?.handshake.auth).toEqual({ token: GOOD_TOKEN })
  expect(serverSocket?.handshake.query.room).toBe('r-1')
})

test('a refused handshake arrives as CONNECT_ERROR with its message and data', async () => {
  const refusal = await new Promise<{ message: string; data: unknown }>((resolve) => {
    connect({
      auth: { token: 'forged' },
      onConnectError: (message, data) => resolve({ message, data }),
      onConnect: () => resolve({ message: 'connected?!', data: null }),
    })
  })
  expect(refusal).toEqual({ message: HANDSHAKE_UNAUTHORIZED, data: { reason: 'bad token' } })
})

test('emitWithAck gets the server acknowledgement, matched by ack id', async () => {
  const { session } = await connected()
  const replies = await Promise.all(
    [1, 2, 3].map(
      (n) => new Promise<unknown[]>((resolve) => session.emitWithAck('echo', [{ n, text: 'héllo "quoted"' }], resolve)),
    ),
  )
  expect(replies).toEqual([1, 2, 3].map((n) => [{ ok: true, payload: { n, text: 'héllo "quoted"' }, token: GOOD_TOKEN }]))
  expect(session.pendingAcks).toBe(0)
})

test('events from the server reach handlers, and a server ack request is answered', async () => {
  const a = await connected()
  const b = await connected()
  const heard = new Promise<unknown[]>((resolve) => b.session.on('heard', resolve))
  a.session.emit('shout', { hi: 1 })
  expect(await heard).toEqual([{ hi: 1 }, a.sid])

  b.session.on('question', (args, ack) => ack?.((args[0] as number) + 1))
  const answer = new Promise<unknown[]>((resolve) => b.session.on('answer-was', resolve))
  b.session.emit('ask-me')
  expect(await answer).toEqual([42])
})

test('answers pings, so the connection outlives several ping timeouts', async () => {
  const { session, sent, sid } = await connected()
  await waitFor('five pongs', async () => sent.filter((f) => f === '3').length >= 5, 5000, 20)
  expect(session.connected).toBe(true)
  expect(io.of('/').sockets.get(sid)?.connected).toBe(true)
})

test('without pongs the server drops the socket (the pings are real)', async () => {
  const ws = new WebSocket(socketIoUrl(baseUrl))
  clients.push(ws)
  const session = new SocketIoSession((frame) => (frame.startsWith('3') ? undefined : ws.send(frame)), {
    auth: { token: GOOD_TOKEN },
  })
  ws.on('message', (data) => session.receive(data.toString()))
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()))
  await closed
  expect(session.open).toBeDefined()
})

test('connects to a named namespace', async () => {
  const { session } = await connected({}, '/side')
  const where = await new Promise<unknown[]>((resolve) => session.emitWithAck('where', [], resolve))
  expect(where).toEqual(['/side'])
})

test('a server-side disconnect is reported', async () => {
  const reason = await new Promise<string>((resolve) => {
    void connected({ onDisconnect: resolve }).then(({ session }) => session.emit('kick'))
  })
  expect(reason).toBe('io server disconnect')
})

describe('packet codec', () => {
  test('decodes each packet kind with namespaces and ack ids', () => {
    expect(decodeEnginePacket('2')).toEqual({ type: 'ping', data: '' })
    expect(decodeSocketPacket('0/side,{"sid":"abc"}')).toEqual({ type: 'connect', nsp: '/side', sid: 'abc' })
    expect(decodeSocketPacket('212["ev",1,{"a":[2]}]')).toEqual({
      type: 'event',
      nsp: '/',
      id: 12,
      name: 'ev',
      args: [1, { a: [2] }],
    })
    expect(decodeSocketPacket('3/x,7[{"ok":true}]')).toEqual({ type: 'ack', nsp: '/x', id: 7, args: [{ ok: true }] })
    expect(decodeSocketPacket('4{"message":"UNAUTHORIZED"}')).toEqual({
      type: 'connect_error',
      nsp: '/',
      message: 'UNAUTHORIZED',
    })
    expect(encodeEvent('message', [{ roomId: 'r', text: 'hi' }], 5)).toBe('425["message",{"roomId":"r","text":"hi"}]')
  })

  test('refuses malformed, binary and unknown packets with a ProtocolError', () => {
    for (const bad of [
      '2',
      '2{"no":"array"}',
      '2[1]',
      '3["no id"]',
      '0{}',
      '51-["ev",{"_placeholder":true,"num":0}]',
      '9',
      '2["x"',
    ]) {
      expect(() => decodeSocketPacket(bad)).toThrow(ProtocolError)
    }
    expect(() => decodeEnginePacket('9abc')).toThrow(ProtocolError)
    expect(() => decodeEnginePacket('0{"sid":1}')).toThrow(ProtocolError)
  })

  test('builds the WebSocket URL of an http base URL', () => {
    expect(socketIoUrl('https://edge.example/', { room: 'a b' })).toBe(
      'wss://edge.example/socket.io/?room=a%20b&EIO=4&transport=websocket',
    )
  })
})
