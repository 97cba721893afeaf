import { EventEmitter } from 'node:events'
import type { PublicUser } from '@hangout/protocol'
import { RedisKeys } from '@hangout/store'
import type { RedisClient } from '@hangout/runtime'
import type { Presence, ReapScope } from '../presence/presence.js'
import { heartbeatKeys } from './heartbeat-keys.js'

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
   * `reapOwn` removes whatever the node wrote since; the handler calls it before it lets sockets go.
   */
  onReapedAlive: (reapOwn: () => Promise<void>) => Promise<void>
  /** Whatever else a node keeps in Redis besides presence (its sockets' quota slots): removed with its presence. */
  onReapNode?: (nodeId: string) => Promise<void>
  /** Anti-entropy, every few beats: write this node's whole share again (the rooms Redis lists for it). */
  onReassert?: (listedRooms: string[]) => Promise<void>
  onError: (err: unknown) => void
}

/** The share is re-asserted every this many heartbeats. */
const REASSERT_BEATS = 5
/** Rooms reaped in one pipelined batch. */
const REAP_BATCH = 500

/**
 * How long the reaper's lock stays after a reap, as the mark that tells a node which resumes that
 * it was reaped (a node that starts, or notices, deletes it). Longer than any pause a node's sockets outlive.
 */
const REAPED_MARK_MS = 3_600_000

/**
 * Heartbeats this node into Redis, watches the others, and reaps the presence of nodes whose
 * heartbeat expired (one survivor per dead node, under a lock). The heartbeat has a timer of its
 * own: a census or a reap that takes long never delays it.
 */
export class Liveness {
  private readonly events = new EventEmitter()
  private timers: NodeJS.Timeout[] = []
  private ticking = false
  private beating = false
  private mirroring = false
  /** The mirror key this node last wrote its heartbeat under (heartbeat-keys.ts). */
  private mirrorKey: string | undefined
  private recovering = false
  private reasserting = false
  private beats = 0
  private liveKey: string | undefined
  /** A live set seen by one census, acted on once the next census agrees. */
  private pendingKey: string | undefined
  private registered = false
  /** How many registered nodes the last census found alive and dead (a dead one stays until reaped): for metrics. */
  lastCensus = { live: 0, dead: 0 }

  constructor(
    private readonly redis: RedisClient,
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
    // Presence left behind by an earlier life of this node id is stale: nobody is connected to it.
    await this.reapEarlierLives(true)
    await this.beat()
    await this.beatMirror()
    await this.tick()
    const { heartbeatMs, onError } = this.options
    const every = (ms: number, run: () => Promise<void>) => this.timers.push(setInterval(() => run().catch(onError), ms))
    every(heartbeatMs, () => this.beat())
    // Its own timer and guard: a beat stuck on a shard that is failing over must not hold the mirror back.
    every(heartbeatMs, () => this.beatMirror())
    every(heartbeatMs, () => this.tick())
  }

  /**
   * Stops heartbeating, removes this node's whole share of presence (announcing who left: after a
   * drain there is nothing left, after a crash there may be), and leaves the live set at once.
   */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer)
    const { nodeId } = this.options
    await this.reap(nodeId, this.thisLife())
    // Redis Cluster: no command or transaction spans two slots (the node's keys share `{nodeId}`).
    await Promise.all([
      this.redis.del(RedisKeys.nodeHeartbeat(nodeId), RedisKeys.nodeRooms(nodeId), RedisKeys.nodeIncarnation(nodeId)),
      this.mirrorKey === undefined ? undefined : this.redis.del(this.mirrorKey),
      this.redis.hdel(RedisKeys.nodes, nodeId),
    ])
  }

  async liveNodes(): Promise<LiveNode[]> {
    return (await this.census()).live
  }

  private async census(): Promise<{ live: LiveNode[]; dead: string[] }> {
    const nodes = await this.redis.hgetall(RedisKeys.nodes)
    const ids = Object.keys(nodes).sort()
    // One command per heartbeat key (each in a slot of its own), sent together.
    const alive = await Promise.all(ids.map((id) => this.heartbeating(id)))
    const live: LiveNode[] = []
    const dead: string[] = []
    ids.forEach((id, i) => {
      // Unknown (a shard did not answer): live, as a census that failed outright changes nothing.
      if (alive[i] !== false) live.push({ id, upstream: nodes[id]! })
      else dead.push(id)
    })
    return { live, dead }
  }

  /**
   * Whether the node's heartbeat or its mirror exists: true if either does, false if both
   * answered that they do not, undefined if that cannot be told (a shard did not answer).
   */
  private async heartbeating(nodeId: string): Promise<boolean | undefined> {
    const { heartbeat, mirror } = heartbeatKeys(this.redis, nodeId)
    const answers = await Promise.allSettled([this.redis.exists(heartbeat), this.redis.exists(mirror)])
    if (answers.some((a) => a.status === 'fulfilled' && a.value === 1)) return true
    return answers.every((a) => a.status === 'fulfilled') ? false : undefined
  }

  /** The heartbeat's mirror, in another shard's slot than the node's own keys (heartbeat-keys.ts). */
  private async beatMirror(): Promise<void> {
    if (this.mirroring) return
    this.mirroring = true
    try {
      const { nodeId, upstream, nodeTtlMs } = this.options
      const { mirror } = heartbeatKeys(this.redis, nodeId)
      this.mirrorKey = mirror
      await this.redis.set(mirror, upstream, 'PX', nodeTtlMs)
    } finally {
      this.mirroring = false
    }
  }

  private async beat(): Promise<void> {
    if (this.beating) return
    this.beating = true
    try {
      const { nodeId, upstream, nodeTtlMs } = this.options
      const incarnation = this.presence.incarnation
      // The incarnation before the heartbeat, same connection: a reaper that finds no heartbeat read the life that died.
      const [, , added, reapedBy] = await Promise.all([
        incarnation === undefined ? undefined : this.redis.set(RedisKeys.nodeIncarnation(nodeId), incarnation),
        this.redis.set(RedisKeys.nodeHeartbeat(nodeId), upstream, 'PX', nodeTtlMs),
        this.redis.hset(RedisKeys.nodes, nodeId, upstream),
        this.redis.get(RedisKeys.nodeReaper(nodeId)),
      ])
      // The mark names the life it reaped: an earlier one's is only cleared, this one's means this life was reaped.
      const thisLifeReaped = reapedBy !== null && (reapedBy === '' || reapedBy === (incarnation ?? ''))
      // The handler ends with reapOwn, which deletes the mark; until it succeeds it runs again on a later beat.
      // Before the first heartbeat nobody has joined here: a reap that overlapped the start took nothing of ours.
      if (thisLifeReaped)
        await this.recover(this.registered ? () => this.options.onReapedAlive(() => this.reapOwn()) : () => this.reapOwn())
      else if (reapedBy !== null) await this.recover(() => this.reapEarlierLives(false))
      else if (this.registered && added === 1) await this.recover(this.options.onForgotten)
      // Only right after a beat that found no reaper's mark: a node reaped while alive must not write its share back.
      else if (++this.beats % REASSERT_BEATS === 0) this.reassert().catch(this.options.onError)
      this.registered = true
    } finally {
      this.beating = false
    }
  }

  /** Runs a recovery beside the heartbeat (after the node's first beat, which waits for it): it may take long. */
  private async recover(run: () => Promise<void>): Promise<void> {
    if (this.recovering) return
    this.recovering = true
    const done = run()
      .catch(this.options.onError)
      .finally(() => {
        this.recovering = false
      })
    if (!this.registered) await done
  }

  private async tick(): Promise<void> {
    if (this.ticking) return
    this.ticking = true
    try {
      const { live, dead } = await this.census()
      this.lastCensus = { live: live.length, dead: dead.length }
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

  private async reassert(): Promise<void> {
    const { onReassert } = this.options
    if (!onReassert || this.reasserting || this.recovering) return
    this.reasserting = true
    try {
      await onReassert(await this.redis.smembers(RedisKeys.nodeRooms(this.options.nodeId)))
    } finally {
      this.reasserting = false
    }
  }

  private async reapDead(deadId: string): Promise<void> {
    // The life that died: the incarnation it wrote (a new life writes its own before its heartbeat).
    const incarnation = (await this.redis.get(RedisKeys.nodeIncarnation(deadId))) ?? ''
    const won = await this.redis.set(RedisKeys.nodeReaper(deadId), incarnation, 'PX', 15_000, 'NX')
    if (won !== 'OK') return
    // It may have restarted since the census (a restart deletes any mark): then it reaped itself.
    if ((await this.heartbeating(deadId)) !== false) {
      await this.redis.del(RedisKeys.nodeReaper(deadId))
      return
    }
    // Only that life: a new one started meanwhile keeps its presence (and clears this mark, not its own).
    await this.reap(deadId, incarnation === '' ? {} : { only: incarnation })
    // SET, not PEXPIRE: a restart during the reap deleted the lock. The mark names the life reaped: if
    // that life was only frozen it finds it when it resumes; a new life just clears it.
    await this.redis.set(RedisKeys.nodeReaper(deadId), incarnation, 'PX', REAPED_MARK_MS)
    // Only forget the node if it did not come back meanwhile (a life that did writes its incarnation again each beat).
    if ((await this.heartbeating(deadId)) === false)
      await Promise.all([this.redis.hdel(RedisKeys.nodes, deadId), this.redis.del(RedisKeys.nodeIncarnation(deadId))])
  }

  /** Removes whatever presence Redis holds for this life of the node (written after it was reaped), and the mark. */
  async reapOwn(): Promise<void> {
    await this.reap(this.options.nodeId, this.thisLife())
    await this.redis.del(RedisKeys.nodeReaper(this.options.nodeId))
  }

  /**
   * Removes the presence of every earlier life of this node id (stale: nobody is connected to them),
   * and their mark. `withNodeState`: also what the node id keeps besides presence, its room set and
   * quota slots (at the start, before this life has any; later they hold this life's too).
   */
  private async reapEarlierLives(withNodeState: boolean): Promise<void> {
    const { incarnation } = this.presence
    await this.reap(this.options.nodeId, incarnation === undefined ? {} : { keep: incarnation }, withNodeState)
    await this.redis.del(RedisKeys.nodeReaper(this.options.nodeId))
  }

  private thisLife(): ReapScope {
    const { incarnation } = this.presence
    return incarnation === undefined ? {} : { only: incarnation }
  }

  private async reap(nodeId: string, scope: ReapScope, withNodeState = true): Promise<void> {
    const rooms = await this.redis.smembers(RedisKeys.nodeRooms(nodeId))
    // Pipelined: a batch of rooms goes out together, not one round trip per room in series.
    for (let i = 0; i < rooms.length; i += REAP_BATCH) {
      const batch = rooms.slice(i, i + REAP_BATCH)
      await Promise.all(
        batch.map(async (roomId) => {
          const { left, count } = await this.presence.reap(roomId, nodeId, scope)
          if (left.length > 0) this.options.onReaped(roomId, left, count)
        }),
      )
      if (withNodeState) await this.redis.srem(RedisKeys.nodeRooms(nodeId), ...batch)
    }
    if (withNodeState) await this.options.onReapNode?.(nodeId)
  }
}
