/**
 * Sends a room's updates of one kind at most once per `intervalMs`, the last value winning: the
 * first update of a quiet room goes out at once, later ones within the window wait for its end and
 * only the newest is sent. `push` resolves when its value, or a newer one that replaced it, is out
 * (and rejects when that send failed), so an ack still means "the room has it".
 * An interval of 0 sends every update at once.
 */
export class Coalescer<T> {
  private readonly rooms = new Map<string, { timer: NodeJS.Timeout; pending?: T; waiters: Waiter[] }>()

  constructor(
    private readonly intervalMs: number,
    private readonly send: (roomId: string, value: T) => Promise<void>,
  ) {}

  push(roomId: string, value: T): Promise<void> {
    if (this.intervalMs === 0) return this.send(roomId, value)
    const room = this.rooms.get(roomId)
    if (!room) {
      this.rooms.set(roomId, { timer: this.windowFor(roomId), waiters: [] })
      return this.send(roomId, value)
    }
    room.pending = value
    return new Promise((resolve, reject) => room.waiters.push({ resolve, reject }))
  }

  /** Stops the windows; updates still waiting are sent now. */
  close(): void {
    for (const roomId of [...this.rooms.keys()]) {
      clearTimeout(this.rooms.get(roomId)?.timer)
      this.windowEnded(roomId, false)
    }
  }

  private windowFor(roomId: string): NodeJS.Timeout {
    return setTimeout(() => this.windowEnded(roomId, true), this.intervalMs)
  }

  private windowEnded(roomId: string, reopen: boolean): void {
    const room = this.rooms.get(roomId)
    if (!room) return
    if (room.pending === undefined) {
      this.rooms.delete(roomId)
      return
    }
    const value = room.pending
    const waiters = room.waiters
    room.pending = undefined
    room.waiters = []
    if (reopen) room.timer = this.windowFor(roomId)
    else this.rooms.delete(roomId)
    this.send(roomId, value).then(
      () => {
        for (const waiter of waiters) waiter.resolve()
      },
      (err: unknown) => {
        for (const waiter of waiters) waiter.reject(err)
      },
    )
  }
}

interface Waiter {
  resolve: () => void
  reject: (err: unknown) => void
}
