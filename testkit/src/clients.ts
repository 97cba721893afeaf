import { randomBytes } from 'node:crypto'
import type { ClientToServerEvents, JoinRoomAck, MessageAck, ServerToClientEvents } from '@hangout/protocol'
import { MongoClient } from 'mongodb'
import { io, type Socket } from 'socket.io-client'

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>

export interface TestUser {
  id: string
  name: string
  token: string
  /** Known for users registered here (tests that sign in again, or delete the account). */
  email?: string
  password?: string
}

export function randomId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`
}

/** A database of its own on the shared MongoDB-wire server. */
export function testMongoUrl(): string {
  const base = (process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/hangout').replace(/\/[^/]*$/, '')
  return `${base}/hangout_test_${randomBytes(5).toString('hex')}`
}

export async function dropDatabase(mongoUrl: string): Promise<void> {
  const mongo = new MongoClient(mongoUrl)
  try {
    await mongo.db().dropDatabase()
  } finally {
    await mongo.close()
  }
}

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** Registers a user through the edge's /api/. */
export async function register(edgeUrl: string, name = randomId('u')): Promise<TestUser> {
  const [email, password] = [`${randomId('e')}@example.com`, 'correct horse battery']
  const { token, user } = await post<{ token: string; user: { id: string; name: string } }>(`${edgeUrl}/api/auth/register`, {
    name,
    email,
    password,
  })
  return { id: user.id, name: user.name, token, email, password }
}

export async function createRoom(edgeUrl: string, owner: TestUser): Promise<string> {
  const { room } = await post<{ room: { id: string } }>(`${edgeUrl}/api/rooms/room`, { name: randomId('room') }, owner.token)
  return room.id
}

/** A Socket.io client for one room, through the edge, as the web app connects. */
export function connect(edgeUrl: string, roomId: string, user: TestUser): Client {
  return io(edgeUrl, {
    path: '/socket.io',
    query: { room: roomId },
    auth: { token: user.token },
    transports: ['websocket'],
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  })
}

export function connected(socket: Client, timeoutMs = 10_000): Promise<void> {
  if (socket.connected) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect')), timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

export async function join(socket: Client, roomId: string): Promise<Extract<JoinRoomAck, { ok: true }>> {
  await connected(socket)
  const ack = await socket.timeout(10_000).emitWithAck('join_room', { roomId })
  if (!ack.ok) throw new Error(`join_room ${roomId}: ${ack.error.code} ${ack.error.message}`)
  return ack
}

export async function say(socket: Client, roomId: string, text: string): Promise<Extract<MessageAck, { ok: true }>> {
  const ack = await socket.timeout(10_000).emitWithAck('message', { roomId, text })
  if (!ack.ok) throw new Error(`message: ${ack.error.code} ${ack.error.message}`)
  return ack
}
