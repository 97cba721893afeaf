/**
 * The Socket.io room of one user's sockets on every node. Presence events about a user go
 * `except` it: the adapter delivers a broadcast to the room's members as they are when it arrives
 * (after its publish), so a socket that left and joined again meanwhile would otherwise be told
 * that its own user left. The contract sends those events to the others only.
 */
export function userRoom(userId: string): string {
  return `${USER_ROOM_PREFIX}${userId}`
}

const USER_ROOM_PREFIX = 'user:'

/** Whether the room is a user's room: only ever named in `except`, never broadcast to. */
export function isUserRoom(room: string): boolean {
  return room.startsWith(USER_ROOM_PREFIX)
}
