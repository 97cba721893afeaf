import { startRedisCluster } from '@hangout/testkit/redis-cluster'
import { createRedisClient, redisTarget } from '@hangout/runtime'
const c = await startRedisCluster({ dir: '/tmp/rc17-data' })
const t = redisTarget('', c.seeds)
const sub = createRedisClient(t, {})
const pub = createRedisClient(t, {})
await sub.connect()
await pub.connect()
const ch = 'hg:sio#/#room-abc#'
let got = 0
sub.on('smessage', (chan: string, m: string) => {
  got++
  console.log('got', chan, m, Date.now() % 100000)
})
await sub.ssubscribe(ch)
await pub.spublish(ch, 'one')
await new Promise((r) => setTimeout(r, 300))
const slot = Number(await pub.cluster('KEYSLOT', ch))
const shards = await c.shards()
const slots = await pub.cluster('SLOTS')
const m = slots.find(([a, b]) => slot >= a && slot <= b)![2]
const src = `${m[0]}:${m[1]}`
const dst = shards.find((s) => s.master !== src)!.master
const A = c.admin(Number(src.split(':')[1])),
  B = c.admin(Number(dst.split(':')[1]))
const [sid, did] = [await A.cluster('MYID'), await B.cluster('MYID')]
await B.cluster('SETSLOT', slot, 'IMPORTING', sid)
await A.cluster('SETSLOT', slot, 'MIGRATING', did)
for (const s of shards) {
  const x = c.admin(Number(s.master.split(':')[1]))
  await x.cluster('SETSLOT', slot, 'NODE', did)
  x.disconnect()
}
console.log('moved', slot, src, '->', dst, Date.now() % 100000)
for (let i = 0; i < 10; i++) {
  await pub.spublish(ch, `after-${i}`).catch((e) => console.log('pub err', e.message))
  await new Promise((r) => setTimeout(r, 1000))
}
console.log('got', got)
A.disconnect()
B.disconnect()
sub.disconnect()
pub.disconnect()
await c.stop()
