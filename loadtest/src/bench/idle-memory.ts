import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from '@hangout/infra/paths'
import { cpuProfEnv } from '../cpu-profile.js'
import { createRooms, registerUsers } from '../fixture.js'
import { measuredRun, runErrors } from '../measured-run.js'
import type { Seat } from '../room-users.js'
import { formatNumber, writeResult } from '../report.js'
import { positive, say, stamp, values } from './options.js'
import { printRun } from './print-run.js'
import { printProfile, profileOf } from './profile.js'
import { withCluster } from './with-cluster.js'

/**
 * `--idle-memory`: one gateway; a warm-up of 200 sockets, then N idle joined sockets (--sockets,
 * default 1500) held for --duration s (default 10): gateway RSS growth per socket from before the join
 * to the end of the idle hold. Sockets share 100 registered users (a user may hold many sockets).
 * With --cpu-prof: where the gateway's main thread spends its CPU while the sockets are idle.
 */
export async function idleMemory(): Promise<void> {
  const sockets = positive('sockets', 1500)
  const holdMs = positive('duration', 10) * 1000
  const idle = { chatPerSec: 0, scrollPerSec: 0, clickPerSec: 0, pagePerSec: 0, warmupMs: 0 }
  const profileDir = values['cpu-prof'] ? join(DATA_DIR, 'bench', 'profiles', stamp()) : undefined
  if (profileDir) mkdirSync(profileDir, { recursive: true })
  await withCluster(
    1,
    async ({ cluster, redis }) => {
      const api = `${cluster.url}/api`
      const members = await registerUsers(api, 100)
      const roomIds = await createRooms(api, members[0] as (typeof members)[number], 100)
      const seats = (n: number): Seat[] =>
        Array.from({ length: n }, (_, i) => {
          const member = members[i % members.length] as (typeof members)[number]
          return {
            user: `${member.userId}.${i}`,
            token: member.token,
            roomId: roomIds[i % roomIds.length] as string,
            url: cluster.url,
          }
        })
      say('warm-up: 200 sockets...')
      await measuredRun('warm-up', cluster, redis, seats(200), idle, 1000, positive('workers', 2))
      say(`${sockets} idle sockets for ${holdMs / 1000} s...`)
      const run = await measuredRun(
        `${sockets} idle sockets`,
        cluster,
        redis,
        seats(sockets),
        idle,
        holdMs,
        positive('workers', 2),
      )
      printRun(run)
      console.log(
        `\nidle memory: ${formatNumber(run.gatewayRssKbPerSocketAtEnd)} KiB of gateway RSS per joined idle socket after ${holdMs / 1000} s idle (${formatNumber(run.gatewayRssKbPerSocket)} KiB right after the join phase); target <= 20 KB`,
      )
      console.log(`results: ${writeResult('idle-memory', { sockets, holdMs, run })}`)
      if (runErrors(run).length) process.exitCode = 1
      if (profileDir) {
        for (const pid of run.gatewayPids) process.kill(pid, 'SIGWINCH')
        // The hook writes on the signal; give it the turn to.
        await new Promise((resolve) => setTimeout(resolve, 500))
        printProfile(run, profileOf(profileDir, run))
        console.log(`\nCPU profiles (open in Chrome DevTools): ${profileDir}`)
      }
    },
    profileDir ? cpuProfEnv(profileDir) : {},
  )
}
