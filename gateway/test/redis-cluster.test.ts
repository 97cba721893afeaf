import { type RedisClient, createRedisClient, redisTarget } from '@hangout/runtime'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { RedisKeys } from '@hangout/store'
import type { Redis } from 'ioredis'
import { Cluster, collect, sleep, until, user } from '@hangout/testkit/gateway-cluster'
import { waitFor } from '@hangout/testkit/process'
import { masterOf, masterOfSlot, slotOf } from '@hangout/testkit/redis-cluster'
import { crossNodeEvents, lateJoiner } from './scenarios.js'

// Three gateway nodes on a real Redis Cluster (3 masters, 1 replica each): the room's keys and its
// sharded pub/sub channel live on whichever shard owns their slots, and the gateways' clients
// follow redirections (MOVED, ASK) by themselves.
const cluster = new Cluster({ GRACE_MS: '1000' })
const run = promisify(execFile)
let redis: RedisClient

beforeAll(async () => {
  await cluster.startOnRedisCluster(3)
  redis = createRedisClient(redisTarget('', cluster.redisCluster?.seeds))
  await redis.connect()
}, 120_000)
afterAll(async () => {
  redis?.disconnect()
  await cluster.stop()
})

test('/healthz reports the cluster: state ok, three shards of one master and one replica', async () => {
  const response = await fetch(`http://127.0.0.1:${cluster.node(0).port}/healthz`)
  expect(response.status).toBe(200)
  const body = (await response.json()) as { redisCluster: { state: string; shards: { replicas: string[]; slots: number }[] } }
  expect(body.redisCluster.state).toBe('ok')
  expect(body.redisCluster.shards).toHaveLength(3)
  for (const shard of body.redisCluster.shards) expect(shard.replicas).toHaveLength(1)
  expect(body.redisCluster.shards.reduce((sum, s) => sum + s.slots, 0)).toBe(16384)
})

test('chat and sync events cross nodes on a Redis Cluster', () => crossNodeEvents(cluster))

test('a late joiner gets state, history and participants on a Redis Cluster', () => lateJoiner(cluster))

test('rooms spread over every shard, keys and channels alike', async () => {
  // 36 random rooms all missing one of three shards: 3 × (2/3)^36 ≈ 1e-6 (with 12 it was 2 %).
  const rooms = await Promise.all(Array.from({ length: 36 }, () => cluster.createRoom()))
  const members = await Promise.all(rooms.map((roomId, i) => cluster.join(cluster.node(i % 3), user(`U${i}`), roomId)))
  const owners = new Set<string>()
  const channelOwners = new Set<string>()
  for (const roomId of rooms) {
    owners.add(await masterOf(redis, RedisKeys.presence(roomId)))
    channelOwners.add(await masterOf(redis, RedisKeys.adapterRoomChannel(roomId)))
  }
  expect(owners.size).toBe(3)
  expect(channelOwners.size).toBe(3)
  for (const { socket } of members) socket.disconnect()
})

test('a live room keeps working while its slots (keys, then channel) migrate to another shard', async () => {
  const roomId = await cluster.createRoom()
  const [ann, bob] = [user('Ann'), user('Bob')]
  const a = await cluster.join(cluster.node(0), ann, roomId)
  const b = await cluster.join(cluster.node(1), bob, roomId)
  const seen = collect(b.socket, 'message')
  const clicks = collect(a.socket, 'user_clicked')
  const acked: number[] = []
  // One step per key of the room's slot and per slot state: paced under the chat limit (5 a second),
  // which a quick run of the steps would otherwise reach.
  const chat = async (text: string) => {
    await sleep(220)
    const ack = await a.socket.timeout(10_000).emitWithAck('message', { roomId, text })
    if (!ack.ok) throw new Error(`${text}: ${JSON.stringify(ack)}`)
    acked.push(ack.message.seq)
    const click = await b.socket.timeout(10_000).emitWithAck('click_event', { roomId, productId: acked.length })
    expect(click).toEqual({ ok: true })
  }
  await chat('before')
  const keySlot = await slotOf(redis, RedisKeys.presence(roomId))
  const channelSlot = await slotOf(redis, RedisKeys.adapterRoomChannel(roomId))
  expect(keySlot).not.toBe(channelSlot)

  // The keys' slot: presence, state, seq, history and idempotency keys move one by one (ASK,
  // TRYAGAIN in between) while chat and clicks go on; every broadcast still reaches the other node.
  await migrateSlot(keySlot, (step) => chat(`keys ${step}`))
  await until('bob got every message sent while the keys moved', () => seen.length === acked.length)
  await until('ann saw every click', () => clicks.length === acked.length)

  // The channel's slot: Redis drops the shard channel's subscribers at the old owner (a SUNSUBSCRIBE
  // push); each node's client refreshes its topology on it and subscribes again at the new owner
  // (runtime/src/redis-client.ts). Broadcasts in between are not delivered live (at-most-once
  // pub/sub; a client fills the seq gap from the history on the next message, client/src/chat-log.ts),
  // but chat is acked and stored throughout.
  const beforeChannelMoved = acked.length
  await migrateSlot(channelSlot, (step) => chat(`channel ${step}`))
  const movedAt = Date.now()
  const afterMove = acked.length
  const resumeBy = movedAt + 20_000
  while (!seen.some((m) => m.seq > acked[afterMove - 1]!)) {
    if (Date.now() > resumeBy)
      throw new Error(`no live delivery after the channel moved: acked ${acked}, bob got ${seen.map((m) => m.seq)}`)
    await chat('after')
    await sleep(200)
  }
  const resumedAfter = Date.now() - movedAt
  const lost = acked.filter((seq) => !seen.some((m) => m.seq === seq)).length
  console.log(
    `channel slot moved: live delivery again ${resumedAfter} ms after the move, ${lost} of ${acked.length} broadcasts missed`,
  )
  // Once resumed it stays: every broadcast after it arrives.
  const resumedFrom = acked.length
  // Paced under the chat limit (5 a second).
  for (let i = 0; i < 5; i++) {
    await sleep(250)
    await chat(`resumed ${i}`)
  }
  await until('bob got every message after the resubscription', () =>
    acked.slice(resumedFrom).every((seq) => seen.some((m) => m.seq === seq)),
  )
  const delivered = new Set(seen.map((m) => m.seq))
  expect(acked.slice(0, beforeChannelMoved).every((seq) => delivered.has(seq))).toBe(true)
  expect(acked).toEqual(acked.map((_, i) => i + 1))
  const late = await cluster.join(cluster.node(2), user('Late'), roomId)
  expect(late.ack.history.map((m) => m.seq)).toEqual(acked.slice(-50))
  expect(late.ack.participants.map((p) => p.name).sort()).toEqual(['Ann', 'Bob', 'Late'])
})

test('a live room while `redis-cli --cluster reshard` moves its key slot, then its channel slot, to another master', async () => {
  const roomId = await cluster.createRoom()
  const a = await cluster.join(cluster.node(0), user('Ann'), roomId)
  const b = await cluster.join(cluster.node(1), user('Bob'), roomId)
  const seen = collect(b.socket, 'message')
  const acked: number[] = []
  const failures: string[] = []
  let chatting = true
  // Ann chats all along, paced under the chat limit (5 a second), while redis-cli moves the slots.
  const chatter = (async () => {
    for (let i = 0; chatting; i++) {
      const ack = await a.socket
        .timeout(10_000)
        .emitWithAck('message', { roomId, text: `m${i}` })
        .catch((err: Error) => ({ ok: false as const, error: err.message }))
      if (ack.ok) acked.push(ack.message.seq)
      else failures.push(JSON.stringify(ack))
      await sleep(220)
    }
  })()
  const seenAll = (seqs: number[]) => seqs.every((seq) => seen.some((m) => m.seq === seq))

  await until('chat flowing', () => acked.length >= 3)
  const keySlot = await slotOf(redis, RedisKeys.presence(roomId))
  const keysFrom = await reshardSlot(keySlot)
  const afterKeys = acked.length
  await until('a few more messages after the keys moved', () => acked.length >= afterKeys + 3)
  // Keys moving (ASK, TRYAGAIN) lose nothing: every broadcast so far arrived.
  const beforeChannel = [...acked]
  await until('bob got every message sent while the keys moved', () => seenAll(beforeChannel))

  const channelSlot = await slotOf(redis, RedisKeys.adapterRoomChannel(roomId))
  const channelFrom = await reshardSlot(channelSlot)
  const afterChannel = acked.length
  await until(
    'live delivery again after the channel moved',
    () => seen.some((m) => m.seq > (acked[afterChannel - 1] ?? 0)),
    20_000,
  )
  const resumedFrom = acked.length
  await until('a few more messages after it', () => acked.length >= resumedFrom + 3)
  chatting = false
  await chatter
  await until('bob got every message after the resubscription', () => seenAll(acked.slice(resumedFrom)))
  const missed = acked.filter((seq) => !seen.some((m) => m.seq === seq)).length
  console.log(
    `redis-cli reshard: keys ${keysFrom} slots, then channel ${channelFrom} slots moved under chat; ${acked.length} acked, ${missed} not delivered live`,
  )

  expect(failures).toEqual([])
  expect(acked).toEqual(acked.map((_, i) => i + 1))
  const late = await cluster.join(cluster.node(2), user('Late'), roomId)
  expect(late.ack.history.map((m) => m.seq)).toEqual(acked.slice(-50))
  expect(late.ack.participants.map((p) => p.name).sort()).toEqual(['Ann', 'Bob', 'Late'])
}, 120_000)

/**
 * Moves `slot` to another master with `redis-cli --cluster reshard`, which takes the source's
 * lowest slots first: as many as it takes to include this one. Answers how many slots moved.
 */
async function reshardSlot(slot: number): Promise<number> {
  const rc = cluster.redisCluster
  if (!rc) throw new Error('no redis cluster')
  const sourceAddress = await masterOfSlot(redis, slot)
  const count = (await redis.cluster('SLOTS'))
    .filter(([, , master]) => master && `${master[0]}:${master[1]}` === sourceAddress)
    .reduce((sum, [from, to]) => sum + Math.max(0, Math.min(to, slot) - from + 1), 0)
  const target = (await rc.shards()).find((s) => s.master !== sourceAddress && s.slots > 0)
  if (!target) throw new Error('no other master')
  const idOf = async (address: string) => {
    const admin = rc.admin(Number(address.split(':')[1]))
    try {
      return String(await admin.cluster('MYID'))
    } finally {
      admin.disconnect()
    }
  }
  const [from, to] = await Promise.all([idOf(sourceAddress), idOf(target.master)])
  await run(
    'redis-cli',
    [
      '--cluster',
      'reshard',
      sourceAddress,
      '--cluster-from',
      from,
      '--cluster-to',
      to,
      '--cluster-slots',
      String(count),
      '--cluster-yes',
    ],
    // It prints a line per slot moved.
    { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  )
  await waitFor(
    `slot ${slot} served by ${target.master}`,
    async () => (await masterOfSlot(redis, slot)) === target.master,
    10_000,
  )
  return count
}

/**
 * Moves one slot to another master as `redis-cli --cluster reshard` does (IMPORTING, MIGRATING,
 * MIGRATE key by key, then SETSLOT NODE on every master), with `between(step)` run after each step
 * while the room is live.
 */
async function migrateSlot(slot: number, between: (step: string) => Promise<void>): Promise<void> {
  const rc = cluster.redisCluster
  if (!rc) throw new Error('no redis cluster')
  const shards = await rc.shards()
  const sourceAddress = await masterOfSlot(redis, slot)
  const target = shards.find((s) => s.master !== sourceAddress && s.slots > 0)
  if (!target) throw new Error('no other master')
  const admin = (address: string): Redis => rc.admin(Number(address.split(':')[1]))
  const [source, dest] = [admin(sourceAddress), admin(target.master)]
  try {
    const [sourceId, destId] = await Promise.all([source.cluster('MYID'), dest.cluster('MYID')])
    await dest.cluster('SETSLOT', slot, 'IMPORTING', sourceId)
    await source.cluster('SETSLOT', slot, 'MIGRATING', destId)
    await between('migrating')
    const [host, port] = target.master.split(':')
    for (;;) {
      const keys = (await source.cluster('GETKEYSINSLOT', slot, 1)) as string[]
      if (keys.length === 0) break
      await source.migrate(host!, Number(port), '', 0, 5000, 'KEYS', ...keys)
      await between(`moved ${keys[0]}`)
    }
    for (const shard of shards) {
      const master = admin(shard.master)
      await master.cluster('SETSLOT', slot, 'NODE', destId).finally(() => master.disconnect())
    }
    await between('moved')
    expect(await masterOfSlot(redis, slot)).toBe(target.master)
  } finally {
    source.disconnect()
    dest.disconnect()
  }
}
