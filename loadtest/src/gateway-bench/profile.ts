/**
 * One gateway node under a chat fan-out and under a co-browse load (scrolls and clicks), driven by
 * socket.io clients from this process: the node's CPU per 1,000 deliveries (from /proc) and where its
 * main thread spent the load window (a V8 CPU profile through loadtest's preloaded hook).
 * Run: node --import tsx loadtest/src/gateway-bench/profile.ts [seconds] [profile dir] [rounds]
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from '@hangout/testkit/paths'
import { breakdown, cpuProfEnv, monotonicUs, readProfilesOf } from '../cpu-profile.js'
import { type Client, Cluster, sleep, user } from '@hangout/testkit/gateway-cluster'

const SECONDS = Number(process.argv[2] ?? 10)
const PROFILE_DIR = process.argv[3] ?? join(DATA_DIR, 'gateway-profile')
/** The variants run this many times, interleaved, since the machine's load varies. */
const ROUNDS = Number(process.argv[4] ?? 1)
const ROOMS = 20
const MEMBERS = 5

interface Load {
  name: string
  /** Client events each member sends per second. */
  perSecond: number
  send(socket: Client, roomId: string, i: number): void
  delivered: (keyof import('@hangout/protocol').ServerToClientEvents)[]
}

const chat: Load = {
  name: 'chat fan-out',
  perSecond: 2,
  send: (socket, roomId, i) => socket.emit('message', { roomId, text: `message ${i} ${'x'.repeat(80)}` }, () => {}),
  delivered: ['message'],
}

const cobrowse: Load = {
  name: 'co-browse',
  perSecond: 10,
  send: (socket, roomId, i) =>
    i % 10 === 0
      ? socket.emit('click_event', { roomId, productId: 1 + (i % 20) }, () => {})
      : socket.emit('scroll_update', { roomId, top: Math.random() }, () => {}),
  delivered: ['scroll_updated', 'user_clicked'],
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

async function run(load: Load, variant: string, env: NodeJS.ProcessEnv) {
  mkdirSync(PROFILE_DIR, { recursive: true })
  const cluster = new Cluster({ CHAT_RATE: '50', CHAT_BURST: '50', ...env, ...cpuProfEnv(PROFILE_DIR) })
  await cluster.start(1)
  const node = cluster.node(0)
  const members: { socket: Client; roomId: string }[] = []
  for (let r = 0; r < ROOMS; r++) {
    const roomId = await cluster.createRoom()
    for (let m = 0; m < MEMBERS; m++) members.push({ socket: (await cluster.join(node, user(`u${m}`), roomId)).socket, roomId })
  }
  let delivered = 0
  for (const { socket } of members) for (const event of load.delivered) socket.on(event, () => delivered++)
  let sent = 0
  const pid = node.proc.pid!
  await sleep(500)
  const cpuBefore = cpuMs(pid)
  const fromUs = monotonicUs()
  const started = Date.now()
  const timer = setInterval(() => {
    for (const { socket, roomId } of members) load.send(socket, roomId, sent++)
  }, 1000 / load.perSecond)
  await sleep(SECONDS * 1000)
  clearInterval(timer)
  await sleep(500)
  const cpu = cpuMs(pid) - cpuBefore
  const toUs = monotonicUs()
  const seconds = (Date.now() - started) / 1000
  node.proc.signal('SIGWINCH')
  await sleep(1000)
  const [profile] = readProfilesOf(PROFILE_DIR, pid)
  await cluster.stop()
  const summary = {
    load: load.name,
    variant,
    eventsIn: sent,
    delivered,
    nodeCpuMs: Math.round(cpu),
    cpuMsPer1000Deliveries: +((cpu / delivered) * 1000).toFixed(1),
    cpuMsPer1000EventsIn: +((cpu / sent) * 1000).toFixed(1),
    seconds: +seconds.toFixed(1),
  }
  return { summary, profile: profile ? breakdown(profile, fromUs, toUs, 15) : undefined }
}

/** Each load once per variant, in the same run: the previous behaviour next to the current one. */
const VARIANTS: [string, Load, NodeJS.ProcessEnv][] = [
  ['as before', chat, {}],
  ['as before: each scroll sent at once', cobrowse, { SCROLL_INTERVAL_MS: '0' }],
  ['scrolls coalesced per room (50 ms)', cobrowse, {}],
]

const results = []
for (const [variant, load, env] of Array.from({ length: ROUNDS }, () => VARIANTS).flat()) {
  const { summary, profile } = await run(load, variant, env)
  results.push(summary)
  console.log(`\n${load.name}, ${variant}: main thread busy ${profile?.busyMs.toFixed(0)} ms`)
  console.log(
    ' parts:',
    profile?.parts
      .slice(0, 8)
      .map(([k, ms]) => `${k} ${ms.toFixed(0)}`)
      .join(', '),
  )
  for (const [fn, ms] of profile?.topFunctions ?? []) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${fn}`)
}
console.table(results)
