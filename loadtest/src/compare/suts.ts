/** The systems a comparison puts under load: Hangout clusters (gateways + Redis) and the bare Socket.IO reference. */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { DATA_DIR } from '@hangout/infra/paths'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { startService } from '@hangout/infra/start-service'
import type { BenchCluster } from '../bench-cluster.js'
import { createRooms, type Member, registerUsers, seatsFor } from '../fixture.js'
import type { Seat } from '../room-users.js'
import { type ServerProcess, serverProcesses } from '../server-processes.js'

export interface Sut {
  label: string
  /** Every server process of this system, counted or shown. */
  processes(): ServerProcess[]
  /** The roles whose CPU the comparison counts. */
  counted: ServerProcess['role'][]
  /** `sockets` seats in fresh rooms of `roomSize`, room-major (a room's sockets one after another). */
  seats(sockets: number, roomSize: number): Promise<Seat[]>
  /** Called right before each arm's sockets connect (an edge reload, for example). */
  beforeArm?(): Promise<void>
  /** Each room's sockets served by one node (true), by several (false), or not checked (undefined). */
  expectOneNodePerRoom?: boolean
}

/** A Hangout cluster's users, registered once and seated again in fresh rooms for every arm. */
export class HangoutSut implements Sut {
  counted: ServerProcess['role'][] = ['gateway', 'redis']
  private members: Member[] = []

  constructor(
    readonly label: string,
    private readonly bench: BenchCluster,
    /** Where sockets connect: 'edge' (nginx) or the first gateway directly. */
    private readonly via: 'edge' | 'gateway',
    readonly beforeArm?: () => Promise<void>,
    readonly expectOneNodePerRoom?: boolean,
    private readonly tag?: string,
  ) {}

  /** Registers the users the largest case needs (argon2: the slow part of a setup). */
  async register(count: number): Promise<void> {
    const api = `${this.bench.cluster.url}/api`
    if (this.members.length < count) this.members.push(...(await registerUsers(api, count - this.members.length)))
  }

  processes(): ServerProcess[] {
    const found = serverProcesses(this.bench.cluster)
    // Two clusters side by side: names apart (snapshots are keyed by name); the API's pids are
    // both clusters' (found by command line), shown, never counted.
    return this.tag ? found.map((p) => ({ ...p, name: `${this.tag} ${p.name}` })) : found
  }

  async seats(sockets: number, roomSize: number): Promise<Seat[]> {
    if (this.members.length < sockets)
      throw new Error(`${this.label}: ${sockets} seats asked, ${this.members.length} users registered`)
    const { cluster } = this.bench
    const url = this.via === 'edge' ? cluster.url : (cluster.gateways[0]?.url ?? '')
    const roomIds = await createRooms(`${cluster.url}/api`, this.members[0] as Member, Math.ceil(sockets / roomSize))
    const seats = byRoom(seatsFor(this.members.slice(0, sockets), roomIds, () => url))
    // Scattered on purpose: the gateways tell sockets away from their room's home to move; these stay.
    return this.expectOneNodePerRoom === false ? seats.map((seat) => ({ ...seat, stayOnRebalance: true })) : seats
  }
}

/** The bare Socket.IO server (loadtest/src/reference-server.ts) as a process of its own. */
export class ReferenceSut implements Sut {
  readonly label = 'bare Socket.IO'
  counted: ServerProcess['role'][] = ['reference']

  private constructor(
    private readonly proc: ManagedProcess,
    private readonly url: string,
  ) {}

  static async start(): Promise<ReferenceSut> {
    const port = await freePort()
    const proc = await startService({
      name: 'reference',
      entry: 'loadtest/src/reference-server.ts',
      port,
      logFile: join(DATA_DIR, 'bench', 'logs', 'reference-server.log'),
    })
    return new ReferenceSut(proc, `http://127.0.0.1:${port}`)
  }

  processes(): ServerProcess[] {
    return this.proc.pid ? [{ name: 'bare-socket.io', role: 'reference', pids: [this.proc.pid] }] : []
  }

  async seats(sockets: number, roomSize: number): Promise<Seat[]> {
    const run = randomBytes(4).toString('hex')
    const rooms = Math.ceil(sockets / roomSize)
    const roomIds = Array.from({ length: rooms }, (_, r) => `bare-${run}-${r}`)
    const members = Array.from({ length: sockets }, (_, i) => ({ userId: `bare-user-${run}-${i}`, token: 'ignored' }))
    return byRoom(seatsFor(members, roomIds, () => this.url))
  }

  stop(): Promise<void> {
    return this.proc.stop()
  }
}

/** The seats sorted by room, keeping each room's order (with round-robin, a room's sockets then go to different nodes). */
export function byRoom(seats: Seat[]): Seat[] {
  const rooms = new Map<string, Seat[]>()
  for (const seat of seats) rooms.set(seat.roomId, [...(rooms.get(seat.roomId) ?? []), seat])
  return [...rooms.values()].flat()
}
