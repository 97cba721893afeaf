/**
 * Chat load through the edge, as the web app behaves: each member's socket rejoins its room on
 * every (re)connect, follows `rebalance`, and keeps a log of messages deduped by id. Records what
 * the server acknowledged, duplicate deliveries on one connection, and reconnect times.
 */
import type { ChatMessage } from '@hangout/protocol'
import { Collections, countOnline, type MessageDoc, nodeOfPresenceField, RedisKeys, userOfPresenceField } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'
import type { Db } from 'mongodb'
import { type Client, connect, createRoom, register, type TestUser } from '@hangout/testkit/clients'
import { joinRefusalIsFinal, REJOIN_DELAY_MS } from '@hangout/client'

export interface Member {
  user: TestUser
  roomId: string
  socket: Client
  /** Joined on the current connection. */
  joined: boolean
  node: string | undefined
  /** Every message seen, live or in a join's history, by id. */
  log: Map<string, ChatMessage>
  /** Live deliveries of an id already delivered live on the same connection. */
  duplicates: number
  disconnectedAt: number | undefined
  /** ms from each disconnect to the next successful join. */
  outages: number[]
}

export class ChatLoad {
  readonly members: Member[] = []
  /** Acknowledged messages by room. */
  readonly acked = new Map<string, ChatMessage[]>()
  /** Joins refused, by error code. */
  readonly joinFailures = new Map<string, number>()
  /** Sends that failed, by reason (timeout or an error code). */
  readonly failures = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private inFlight = new Set<Promise<void>>()

  private constructor(
    readonly edgeUrl: string,
    readonly rooms: string[],
  ) {}

  /** `rooms` rooms of `usersPerRoom` distinct registered users each, all joined. */
  static async start(edgeUrl: string, rooms: number, usersPerRoom: number): Promise<ChatLoad> {
    const owner = await register(edgeUrl)
    const roomIds = await Promise.all(Array.from({ length: rooms }, () => createRoom(edgeUrl, owner)))
    const load = new ChatLoad(edgeUrl, roomIds)
    for (const roomId of roomIds) {
      load.acked.set(roomId, [])
      const users = await Promise.all(Array.from({ length: usersPerRoom }, () => register(edgeUrl)))
      for (const user of users) load.members.push(load.member(user, roomId))
    }
    await load.allJoined(15_000)
    return load
  }

  /** Members given as they are (say, users with hand-signed tokens), all joined. */
  static async startWith(
    edgeUrl: string,
    rooms: { roomId: string; users: TestUser[] }[],
    joinTimeoutMs = 30_000,
  ): Promise<ChatLoad> {
    const load = new ChatLoad(
      edgeUrl,
      rooms.map((r) => r.roomId),
    )
    for (const { roomId, users } of rooms) {
      load.acked.set(roomId, [])
      for (const user of users) load.members.push(load.member(user, roomId))
    }
    await load.allJoined(joinTimeoutMs)
    return load
  }

  private member(user: TestUser, roomId: string): Member {
    const socket = connect(this.edgeUrl, roomId, user)
    const member: Member = {
      user,
      roomId,
      socket,
      joined: false,
      node: undefined,
      log: new Map(),
      duplicates: 0,
      disconnectedAt: undefined,
      outages: [],
    }
    let liveThisConnection = new Set<string>()
    socket.on('connect', () => {
      liveThisConnection = new Set()
      socket
        .timeout(5000)
        .emitWithAck('join_room', { roomId })
        .then((ack) => {
          if (!ack.ok) {
            this.joinFailures.set(ack.error.code, (this.joinFailures.get(ack.error.code) ?? 0) + 1)
            // A refusal that may pass is tried again after the web app's delay (here by connecting
            // anew, which joins again).
            if (!joinRefusalIsFinal(ack.error.code))
              setTimeout(() => socket.connected && socket.disconnect().connect(), REJOIN_DELAY_MS)
            return
          }
          if (!socket.connected) return
          for (const message of ack.history) member.log.set(message.id, message)
          member.node = ack.node
          member.joined = true
          if (member.disconnectedAt !== undefined) member.outages.push(Date.now() - member.disconnectedAt)
          member.disconnectedAt = undefined
        })
        .catch(() => socket.disconnect().connect())
    })
    socket.on('disconnect', () => {
      member.joined = false
      member.disconnectedAt ??= Date.now()
    })
    socket.on('message', (message) => {
      if (liveThisConnection.has(message.id)) member.duplicates++
      liveThisConnection.add(message.id)
      member.log.set(message.id, message)
    })
    socket.on('rebalance', ({ delayMs }) => {
      socket.disconnect()
      setTimeout(() => socket.connect(), delayMs)
    })
    return member
  }

  /** Every joined member sends one message per `everyMs`, spread over the interval. */
  run(everyMs = 500): void {
    let tick = 0
    const slice = Math.max(1, Math.floor(everyMs / 50))
    this.timer = setInterval(() => {
      tick++
      this.members.forEach((member, i) => {
        if (i % slice === tick % slice && member.joined) this.send(member, `m${tick}-${i}`)
      })
    }, 50)
  }

  private send(member: Member, text: string): void {
    const sending = member.socket
      .timeout(5000)
      .emitWithAck('message', { roomId: member.roomId, text })
      .then(
        (ack) => {
          if (ack.ok) this.acked.get(member.roomId)?.push(ack.message)
          else this.fail(ack.error.code)
        },
        () => this.fail('timeout'),
      )
    this.inFlight.add(sending)
    void sending.finally(() => this.inFlight.delete(sending))
  }

  private fail(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1)
  }

  /** Stops sending and waits for every pending ack (or its timeout). */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await Promise.all([...this.inFlight])
  }

  get ackedCount(): number {
    return [...this.acked.values()].reduce((sum, list) => sum + list.length, 0)
  }

  get duplicates(): number {
    return this.members.reduce((sum, m) => sum + m.duplicates, 0)
  }

  /** The longest outage any member saw (ms), 0 if none. */
  get longestOutage(): number {
    return Math.max(0, ...this.members.flatMap((m) => m.outages))
  }

  /** Who is not joined, for a failure message. */
  describeStragglers(): string {
    const out = this.members.filter((m) => !(m.joined && m.socket.connected))
    const who = out
      .slice(0, 5)
      .map((m) => `${m.user.name} connected=${m.socket.connected} active=${m.socket.active} lastNode=${m.node}`)
      .join('; ')
    const counts = (map: Map<string, number>) => JSON.stringify(Object.fromEntries(map))
    return `${out.length} of ${this.members.length} not joined: ${who}; failed sends ${counts(this.failures)}; refused joins ${counts(this.joinFailures)}`
  }

  everyoneJoined(): boolean {
    return this.members.every((m) => m.joined && m.socket.connected)
  }

  /** Every member joined on the node `home` gives for its room (after a fault, a move back once that node is up). */
  everyoneJoinedAtHome(home: (roomId: string) => string | undefined): boolean {
    return this.everyoneJoined() && this.members.every((m) => m.node === home(m.roomId))
  }

  /** Members joined away from their room's home, for a failure message. */
  describeAway(home: (roomId: string) => string | undefined): string {
    const away = this.members.filter((m) => m.node !== home(m.roomId))
    return `${away.length} of ${this.members.length} away from home: ${away
      .slice(0, 5)
      .map((m) => `${m.user.name} on ${m.node}, home ${home(m.roomId)}`)
      .join('; ')}`
  }

  async allJoined(timeoutMs: number): Promise<number> {
    const started = Date.now()
    while (!this.everyoneJoined()) {
      if (Date.now() - started > timeoutMs) {
        const waiting = this.members.filter((m) => !m.joined).length
        throw new Error(`${waiting} of ${this.members.length} members not joined after ${timeoutMs} ms`)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    return Date.now() - started
  }

  /** True when each room's presence in Redis is exactly its members, on live nodes only. */
  async presenceConverged(redis: RedisClient, liveNodes: string[]): Promise<boolean> {
    return (await this.presenceProblems(redis, liveNodes)).length === 0
  }

  /** How each room's presence in Redis differs from its members (fields of dead nodes, users missing or extra). */
  async presenceProblems(redis: RedisClient, liveNodes: string[]): Promise<string[]> {
    const found: string[] = []
    for (const roomId of this.rooms) {
      const fields = await redis.hkeys(RedisKeys.presence(roomId))
      const dead = fields.filter((f) => !liveNodes.includes(nodeOfPresenceField(f)))
      if (dead.length > 0) found.push(`${roomId}: fields of dead nodes ${dead.join(', ')}`)
      const online = new Set(fields.map(userOfPresenceField))
      const expected = new Set(this.members.filter((m) => m.roomId === roomId).map((m) => m.user.id))
      const missing = [...expected].filter((id) => !online.has(id))
      const extra = [...online].filter((id) => !expected.has(id))
      if (missing.length > 0) found.push(`${roomId}: missing ${missing.join(', ')}`)
      if (extra.length > 0 || countOnline(fields) !== expected.size)
        found.push(`${roomId}: extra ${extra.join(', ')} (fields ${fields.join(', ')})`)
    }
    return found
  }

  /**
   * What must hold after any fault: every acked message stored once with its seq, seqs unique and
   * increasing per room, and every member's log (live + join histories) holding every acked
   * message of its room. Answers the problems found, empty when all holds.
   */
  async problems(db: Db): Promise<string[]> {
    const found: string[] = []
    for (const roomId of this.rooms) {
      const stored = await db.collection<MessageDoc>(Collections.messages).find({ roomId }).sort({ seq: 1 }).toArray()
      const byId = new Map(stored.map((doc) => [doc._id, doc]))
      const seqs = stored.map((doc) => doc.seq)
      if (new Set(seqs).size !== seqs.length) found.push(`${roomId}: repeated seq in MongoDB`)
      for (const message of this.acked.get(roomId) ?? []) {
        const doc = byId.get(message.id)
        if (!doc) found.push(`${roomId}: acked message ${message.id} (seq ${message.seq}) not stored`)
        else if (doc.seq !== message.seq) found.push(`${roomId}: ${message.id} acked as seq ${message.seq}, stored as ${doc.seq}`)
        for (const member of this.members.filter((m) => m.roomId === roomId)) {
          if (!member.log.has(message.id)) found.push(`${member.user.name}: never saw acked ${message.id} (seq ${message.seq})`)
        }
      }
    }
    return found
  }

  close(): void {
    clearInterval(this.timer)
    for (const member of this.members) member.socket.disconnect()
  }
}
