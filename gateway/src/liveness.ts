import { EventEmitter } from 'node:events'
import type { PublicUser } from '@hangout/protocol'
import { RedisKeys } from '@hangout/protocol'
import type { Redis } from 'ioredis'
import type { Presence } from './presence.js'

export interface LiveNode {
  id: string
  /** The node as written in nginx's upstream block. */
  upstream: string
}

export interface LivenessOptions {
  nodeId: string
  upstream: string
  heartbeatMs: number
  nodeTtlMs: number
  /** A room lost users because their node died. */
  onReaped: (roomId: string, left: PublicUser[], count: number) => void
  /** Redis no longer knew this node (it restarted empty): write our presence back. */
  onForgotten: () => Promise<void>
  /**
   * Another node reaped this one while it was alive (frozen, or cut off from Redis, past its TTL):
   * its presence is gone and `user_leaved` was sent for its users. Nothing of it may come back.
   */
  onReapedAlive: () => Promise<void>
  onError: (err: unknown) => void
}

/**
 * How long the reaper's lock stays after a reap, as the mark that tells a node which resumes that
 * it was reaped (a node that starts, or notices, deletes it). Longer than any pause a node's sockets outlive.
 */
const REAPED_MARK_MS = 3_600_000

/**
 * Heartbeats this node into Redis, watches the others, and reaps the presence of nodes whose
 * heartbeat expired (one survivor per dead node, under a lock).
 */
export class Liveness {
  private readonly events = new EventEmitter()
  private timer: NodeJS.Timeout | undefined
  private ticking = false
  private liveKey: string | undefined
  /** A live set seen by one census, acted on once the next census agrees. */
  private pendingKey: string | undefined
  private registered = false

  constructor(
    private readonly redis: Redis,
    private readonly presence: Presence,
    private readonly options: LivenessOptions,
  ) {}

  /**
   * Fired with the live nodes whenever that set changes (the ring and rebalancing hook in here).
   * After the first census, a change fires once two consecutive censuses agree: nodes that die
   * together have heartbeats that expire up to one beat apart, and acting on the set in between
   * would send sockets toward a node that is already dead.
   */
  onNodeSetChange(listener: (liveNodes: LiveNode[]) => void): () => void {
    this.events.on('change', listener)
    return () => this.events.off('change', listener)
  }

  async start(): Promise<void> {
    // Presence left behind by an earlier run of this node id is stale: nobody is connected to it.
    await this.reapOwn()
    await this.tick()
    this.timer = setInterval(() => {
      if (!this.ticking) this.tick().catch(this.options.onError)
    }, this.options.heartbeatMs)
  }

  /** Stops heartbeating and takes this node out of the live set at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    const { nodeId } = this.options
    // Redis Cluster: no command or transaction spans two slots (the node's keys share `{nodeId}`).
    await Promise.all([
      this.redis.del(RedisKeys.nodeHeartbeat(nodeId), RedisKeys.nodeRooms(nodeId)),
      this.redis.hdel(RedisKeys.nodes, nodeId),
    ])
  }

  async liveNodes(): Promise<LiveNode[]> {
    return (await this.census()).live
  }

  private async census(): Promise<{ live: LiveNode[]; dead: string[] }> {
    const nodes = await this.redis.hgetall(RedisKeys.nodes)
    const ids = Object.keys(nodes).sort()
    // One command per heartbeat key (each in its node's slot), sent together.
    const alive = await Promise.all(ids.map((id) => this.redis.exists(RedisKeys.nodeHeartbeat(id))))
    const live: LiveNode[] = []
    const dead: string[] = []
    ids.forEach((id, i) => {
      if (alive[i] === 1) live.push({ id, upstream: nodes[id]! })
      else dead.push(id)
    })
    return { live, dead }
  }

  private async tick(): Promise<void> {
    this.ticking = true
    try {
      const { nodeId, upstream, nodeTtlMs } = this.options
      const [, added, reapedBy] = await Promise.all([
        this.redis.set(RedisKeys.nodeHeartbeat(nodeId), upstream, 'PX', nodeTtlMs),
        this.redis.hset(RedisKeys.nodes, nodeId, upstream),
        this.redis.get(RedisKeys.nodeReaper(nodeId)),
      ])
      // The handler ends with reapOwn, which deletes the mark; until it succeeds it runs again on the next tick.
      if (reapedBy !== null) {
        // Before the first heartbeat nobody has joined here: a reap that overlapped the start took nothing of ours.
        if (this.registered) await this.options.onReapedAlive()
        else await this.reapOwn()
      } else if (this.registered && added === 1) await this.options.onForgotten()
      this.registered = true
      const { live, dead } = await this.census()
      const liveKey = live.map((n) => `${n.id}=${n.upstream}`).join(',')
      if (liveKey === this.liveKey) this.pendingKey = undefined
      else if (this.liveKey === undefined || liveKey === this.pendingKey) {
        this.liveKey = liveKey
        this.pendingKey = undefined
        this.events.emit('change', live)
      } else this.pendingKey = liveKey
      for (const id of dead) await this.reapDead(id)
    } finally {
      this.ticking = false
    }
  }

  private async reapDead(deadId: string): Promise<void> {
    const won = await this.redis.set(RedisKeys.nodeReaper(deadId), this.options.nodeId, 'PX', 15_000, 'NX')
    if (won !== 'OK') return
    // It may have restarted since the census (a restart deletes any mark): then it reaped itself.
    if ((await this.redis.exists(RedisKeys.nodeHeartbeat(deadId))) === 1) {
      await this.redis.del(RedisKeys.nodeReaper(deadId))
      return
    }
    await this.reap(deadId)
    // SET, not PEXPIRE: a restart during the reap deleted the lock, and must still find the mark,
    // since the reap may have taken the presence of its first joins (it then sends them to rejoin).
    await this.redis.set(RedisKeys.nodeReaper(deadId), this.options.nodeId, 'PX', REAPED_MARK_MS)
    // Only forget the node if it did not come back meanwhile.
    if ((await this.redis.exists(RedisKeys.nodeHeartbeat(deadId))) === 0) await this.redis.hdel(RedisKeys.nodes, deadId)
  }

  /** Removes whatever presence Redis holds for this node (stale from an earlier run, or written after it was reaped). */
  async reapOwn(): Promise<void> {
    await this.reap(this.options.nodeId)
    await this.redis.del(RedisKeys.nodeReaper(this.options.nodeId))
  }

  private async reap(nodeId: string): Promise<void> {
    const rooms = await this.redis.smembers(RedisKeys.nodeRooms(nodeId))
    for (const roomId of rooms) {
      const { left, count } = await this.presence.reap(roomId, nodeId)
      if (left.length > 0) this.options.onReaped(roomId, left, count)
    }
    await this.redis.del(RedisKeys.nodeRooms(nodeId))
  }
}
