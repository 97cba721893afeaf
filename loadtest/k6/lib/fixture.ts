/** setup(): register the users through the API and create the rooms they meet in. */
import { fail } from 'k6'
import http from 'k6/http'
import type { AuthResponse, CreateRoomBody, RegisterBody, RoomResponse } from '@hangout/protocol'
import { ApiRoutes } from './contract.ts'
import type { LoadConfig } from './env.ts'

export interface Fixture {
  /** One token per user; user i belongs to room i % rooms. */
  tokens: string[]
  roomIds: string[]
}

const BATCH = 50

export function createFixture(config: LoadConfig): Fixture {
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
  const users = config.rooms * config.usersPerRoom
  const tokens: string[] = []
  for (let first = 0; first < users; first += BATCH) {
    const bodies: RegisterBody[] = []
    for (let i = first; i < Math.min(users, first + BATCH); i++) {
      bodies.push({ name: `load ${i}`, email: `load-${run}-${i}@example.com`, password: `pw-${run}-load` })
    }
    const responses = http.batch(
      bodies.map((body) => ['POST', `${config.baseUrl}${ApiRoutes.register}`, JSON.stringify(body), json()]),
    )
    for (const res of responses) {
      if (res.status !== 201) fail(`register answered ${res.status}: ${String(res.body).slice(0, 200)}`)
      tokens.push((res.json() as unknown as AuthResponse).token)
    }
  }
  const owner = tokens[0]
  if (!owner) fail('no users to create rooms with')
  const roomIds: string[] = []
  for (let first = 0; first < config.rooms; first += BATCH) {
    const requests: ['POST', string, string, ReturnType<typeof json>][] = []
    for (let i = first; i < Math.min(config.rooms, first + BATCH); i++) {
      const body: CreateRoomBody = { name: `load room ${i}` }
      requests.push(['POST', `${config.baseUrl}${ApiRoutes.createRoom}`, JSON.stringify(body), json(owner)])
    }
    for (const res of http.batch(requests)) {
      if (res.status !== 201) fail(`create room answered ${res.status}: ${String(res.body).slice(0, 200)}`)
      roomIds.push((res.json() as unknown as RoomResponse).room.id)
    }
  }
  return { tokens, roomIds }
}

function json(token?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  return { headers }
}

/** The token and room of this VU (VUs are numbered from 1). */
export function seat(fixture: Fixture, vu: number): { token: string; roomId: string } {
  const index = (vu - 1) % fixture.tokens.length
  const token = fixture.tokens[index]
  const roomId = fixture.roomIds[index % fixture.roomIds.length]
  if (!token || !roomId) fail(`no seat for VU ${vu}`)
  return { token, roomId }
}
