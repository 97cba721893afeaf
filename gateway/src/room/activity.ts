import { highlightField, RedisKeys } from '@hangout/store'
import { isRedisCluster, type RedisClient } from '@hangout/runtime'

/**
 * A room's shared shopping activity (page, scroll, highlights), in one Redis hash, written behind
 * the node's memory: a change is kept here and the room's changes of the last `intervalMs` go out
 * together, one HSET of every changed field and one PEXPIRE per room, all rooms in one pipeline (one per
 * room on a Redis Cluster).
 * Every write renews the expiry: a room nobody touched for `idleTtlMs` leaves Redis, and starts
 * again from the initial state (the shopping state is not kept in MongoDB). A write that fails is
 * tried again with the next one (a newer value of a field wins); while the connection is down a
 * change is refused. `flush` sends a room's changes now
 * (before a hello is answered, so a node that joins the room reads them); `close` sends them all.
 */
export class Activity {
  private readonly pending = new Map<string, Map<string, number>>()
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<void> = Promise.resolve()
  private closed = false

  constructor(
    private readonly redis: RedisClient,
    private readonly idleTtlMs: number,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  page(roomId: string, page: number): void {
    this.set(roomId, 'page', page)
  }

  top(roomId: string, top: number): void {
    this.set(roomId, 'top', top)
  }

  highlight(roomId: string, userId: string, productId: number): void {
    this.set(roomId, highlightField(userId), productId)
  }

  /** The user left the room for good: a highlight still kept back must not bring theirs back. */
  dropHighlight(roomId: string, userId: string): void {
    const fields = this.pending.get(roomId)
    if (fields?.delete(highlightField(userId)) && fields.size === 0) this.pending.delete(roomId)
  }

  /** Sends the room's kept-back changes now; resolves once Redis has them (and what was in flight). */
  flush(roomId: string): Promise<void> {
    const fields = this.pending.get(roomId)
    if (!fields) return this.inFlight
    this.pending.delete(roomId)
    return this.send(new Map([[roomId, fields]]))
  }

  /** Sends every kept-back change now (a stop or a drain). */
  close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    return this.sendAll()
  }

  private set(roomId: string, field: string, value: number): void {
    // As when it was written through: without Redis the change is refused (a node without Redis cannot serve a room).
    if (this.redis.status !== 'ready') throw new Error('Redis is not connected: the room state change is refused')
    let fields = this.pending.get(roomId)
    if (!fields) {
      fields = new Map()
      this.pending.set(roomId, fields)
    }
    fields.set(field, value)
    if (this.intervalMs === 0 || this.closed) {
      void this.flush(roomId)
      return
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      void this.sendAll()
    }, this.intervalMs)
  }

  private sendAll(): Promise<void> {
    if (this.pending.size === 0) return this.inFlight
    const rooms = new Map(this.pending)
    this.pending.clear()
    return this.send(rooms)
  }

  private send(rooms: Map<string, Map<string, number>>): Promise<void> {
    // One pipeline for all rooms on one Redis; on a Redis Cluster a pipeline may not span slots,
    // so one per room there (each room's keys share its `{roomId}` slot).
    const groups = isRedisCluster(this.redis) ? [...rooms].map((room) => [room]) : [[...rooms]]
    const sent = Promise.all(
      groups.map(async (group) => {
        const pipeline = this.redis.pipeline()
        for (const [roomId, fields] of group) {
          const key = RedisKeys.state(roomId)
          pipeline.hset(key, Object.fromEntries(fields)).pexpire(key, this.idleTtlMs)
        }
        const failed = (await pipeline.exec())?.find(([err]) => err)
        if (failed?.[0]) throw failed[0]
      }),
    )
    const settled = sent.catch((err: unknown) => {
      this.onError(err)
      this.putBack(rooms)
    })
    const previous = this.inFlight
    this.inFlight = Promise.all([previous, settled]).then(() => undefined)
    return this.inFlight
  }

  /** A write that failed: its fields go out with the next one, unless a newer value came meanwhile. */
  private putBack(rooms: Map<string, Map<string, number>>): void {
    for (const [roomId, fields] of rooms) {
      let now = this.pending.get(roomId)
      if (!now) {
        now = new Map()
        this.pending.set(roomId, now)
      }
      for (const [field, value] of fields) if (!now.has(field)) now.set(field, value)
    }
    if (this.closed) return
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined
        void this.sendAll()
      },
      Math.max(this.intervalMs, 1000),
    )
  }
}
