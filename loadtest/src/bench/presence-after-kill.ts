import { nodeOfPresenceField, RedisKeys } from '@hangout/store'
import { activityPlan } from '../../k6/lib/plans.js'
import { drive } from '../driver.js'
import { createRooms, registerUsers, seatsFor } from '../fixture.js'
import { summarize } from '../histogram.js'
import { formatNumber, writeResult } from '../report.js'
import { positive, say } from './options.js'
import { withCluster } from './with-cluster.js'

/**
 * `--kill`: 3 nodes through the edge under the chat load; halfway through, node 2 is killed
 * (SIGKILL). Presence has converged when no room's presence hash names node 2 any more (its users
 * reaped by a surviving node); prints how long that took after the kill.
 */
export async function presenceAfterKill(): Promise<void> {
  const shape = { rooms: positive('rooms', 12), usersPerRoom: positive('users-per-room', 6), rate: positive('rate', 2) }
  const durationMs = positive('duration', 16) * 1000
  const plan = { ...activityPlan('chat-fanout', shape), scrollPerSec: 2, warmupMs: 0 }
  await withCluster(3, async ({ cluster, redis }) => {
    const api = `${cluster.url}/api`
    const members = await registerUsers(api, shape.rooms * shape.usersPerRoom)
    const roomIds = await createRooms(api, members[0] as (typeof members)[number], shape.rooms)
    const victim = cluster.gateway(2)
    const deadFields = async () => {
      let count = 0
      for (const roomId of roomIds) {
        const fields = await redis.hkeys(RedisKeys.presence(roomId))
        count += fields.filter((field) => nodeOfPresenceField(field) === victim.nodeId).length
      }
      return count
    }
    let killedAt = 0
    let before = 0
    let convergedMs = Number.NaN
    let watching: Promise<void> = Promise.resolve()
    say(`chat load on 3 nodes; killing ${victim.nodeId} after ${durationMs / 2000} s...`)
    const result = await drive(
      seatsFor(members, roomIds, () => cluster.url),
      plan,
      durationMs,
      positive('workers', 2),
      {
        onActive: () => {
          setTimeout(() => {
            watching = (async () => {
              before = await deadFields()
              killedAt = performance.now()
              await cluster.killGateway(2)
              while (performance.now() - killedAt < 30_000) {
                if ((await deadFields()) === 0) {
                  convergedMs = performance.now() - killedAt
                  return
                }
                await new Promise((resolve) => setTimeout(resolve, 50))
              }
            })()
          }, durationMs / 2)
        },
      },
    )
    await watching
    const fanout = summarize(result.fanout)
    console.log(
      `\n${victim.nodeId} killed with ${before} presence entries on it (${shape.rooms} rooms × ${shape.usersPerRoom} users, ${formatNumber(plan.chatPerSec * shape.usersPerRoom)} chat/s + ${plan.scrollPerSec * shape.usersPerRoom} scroll/s per room)`,
    )
    console.log(
      `sockets cut: ${result.counts.unexpectedDisconnects}; acks lost or failed: ${JSON.stringify(result.counts.ackErrors)}`,
    )
    console.log(`chat fan-out over the run: p50 ${formatNumber(fanout.p50)} ms, p99 ${formatNumber(fanout.p99)} ms`)
    console.log(
      Number.isFinite(convergedMs)
        ? `presence converged ${formatNumber(convergedMs)} ms after the kill (no entry of ${victim.nodeId} left in any room)`
        : 'presence did NOT converge within 30 s of the kill',
    )
    console.log(
      `results: ${writeResult('presence-after-kill', { shape, plan, before, convergedMs, counts: result.counts, fanout })}`,
    )
    if (!Number.isFinite(convergedMs)) process.exitCode = 1
  })
}
