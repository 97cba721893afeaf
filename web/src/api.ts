import {
  type AuthResponse,
  type ChatMessage,
  type CreateRoomBody,
  type JoinRoomBody,
  type LoginBody,
  type MessagesResponse,
  type RegisterBody,
  type RestErrorCode,
  RestErrorStatus,
  type RoomResponse,
  type RoomsResponse,
  type RoomSummary,
  type Room,
  Routes,
} from '@hangout/protocol'
import { EXPIRED_NOTICE, type SessionStore } from './session.js'

/** Where the edge serves the API. */
export const API_PREFIX = '/api'

/** A refusal from the API, with the contract's code, or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: RestErrorCode | 'NETWORK',
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

function isRestErrorCode(code: unknown): code is RestErrorCode {
  return typeof code === 'string' && code in RestErrorStatus
}

async function errorOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null)
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : null
  if (typeof error === 'object' && error !== null && 'code' in error && isRestErrorCode(error.code)) {
    const message = 'message' in error && typeof error.message === 'string' ? error.message : error.code
    return new ApiError(response.status, error.code, message)
  }
  return new ApiError(response.status, 'INTERNAL', `The server answered ${response.status}. Please try again.`)
}

/** The REST API of the contract, for one app: signs requests with the session's token, ends it on 401. */
export function createApiClient(session: SessionStore, fetchImpl: typeof fetch = fetch.bind(globalThis)) {
  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const token = session.current.value?.token
    if (authenticated && token) headers.authorization = `Bearer ${token}`
    let response: Response
    try {
      response = await fetchImpl(API_PREFIX + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch {
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection and try again.')
    }
    if (!response.ok) {
      const error = await errorOf(response)
      if (authenticated && error.code === 'UNAUTHORIZED') session.end(EXPIRED_NOTICE)
      throw error
    }
    if (response.status === 204) return undefined as T
    return (await response.json()) as T
  }

  return {
    register: (body: RegisterBody) => request<AuthResponse>('POST', Routes.register, body, false),
    login: (body: LoginBody) => request<AuthResponse>('POST', Routes.login, body, false),
    /** Revokes the session's token everywhere (its open sockets are closed too). */
    logout: () => request<void>('POST', Routes.logout),
    createRoom: async (body: CreateRoomBody): Promise<Room> =>
      (await request<RoomResponse>('POST', Routes.createRoom, body)).room,
    joinRoom: async (body: JoinRoomBody): Promise<Room> => (await request<RoomResponse>('POST', Routes.joinRoom, body)).room,
    listRooms: async (): Promise<RoomSummary[]> => (await request<RoomsResponse>('GET', Routes.listRooms)).rooms,
    messagesBefore: async (roomId: string, before: number, limit: number): Promise<ChatMessage[]> => {
      const path = `${Routes.roomMessages.replace(':roomId', encodeURIComponent(roomId))}?before=${before}&limit=${limit}`
      return (await request<MessagesResponse>('GET', path)).messages
    },
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
