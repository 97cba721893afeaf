/** Users and rooms for a run, made through the API as a client would (register, create room). */
import { randomBytes } from 'node:crypto'
import { type AuthResponse, type RegisterBody, type RoomResponse, Routes } from '@hangout/protocol'
import type { Seat } from './room-users.js'

export interface Member {
  userId: string
  token: string
}

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 200)}`)
  return JSON.parse(text) as T
}

/** Runs `task` for 0..count-1 with at most `concurrency` at a time. */
async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count)
  let next = 0
  const lane = async () => {
    while (next < count) {
      const i = next++
      out[i] = await task(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
  return out
}

/** Registers `count` users (argon2 makes this the slow part of a setup). `apiBase` ends before the routes, e.g. <edge>/api. */
export async function registerUsers(apiBase: string, count: number, concurrency = 8): Promise<Member[]> {
  const run = randomBytes(4).toString('hex')
  const password = randomBytes(12).toString('base64url')
  return pool(count, concurrency, async (i) => {
    const body: RegisterBody = { name: `load ${i}`, email: `load-${run}-${i}@example.com`, password }
    const { token, user } = await post<AuthResponse>(`${apiBase}${Routes.register}`, body)
    return { userId: user.id, token }
  })
}

export async function createRooms(apiBase: string, owner: Member, count: number): Promise<string[]> {
  return pool(
    count,
    8,
    async (i) => (await post<RoomResponse>(`${apiBase}${Routes.createRoom}`, { name: `load room ${i}` }, owner.token)).room.id,
  )
}

/** User i sits in room i % rooms; `urlFor` says where each socket connects (the k-th socket of its room). */
export function seatsFor(members: Member[], roomIds: string[], urlFor: (roomId: string, k: number) => string): Seat[] {
  const perRoom = new Map<string, number>()
  return members.map((member, i) => {
    const roomId = roomIds[i % roomIds.length] as string
    const k = perRoom.get(roomId) ?? 0
    perRoom.set(roomId, k + 1)
    return { user: member.userId, token: member.token, roomId, url: urlFor(roomId, k) }
  })
}
