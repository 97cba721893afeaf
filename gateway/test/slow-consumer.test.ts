import { readFileSync } from 'node:fs'
import type { MessageAck } from '@hangout/protocol'
import WebSocket from 'ws'
import { collect, randomId, signToken, until, user } from '@hangout/testkit/gateway-cluster'
import { gatewaySuite } from '@hangout/testkit/gateway-suite'

// Chat limits raised so that two members can flood the room; the slow-client bound as by default.
const { cluster } = gatewaySuite({ nodes: 1, env: { CHAT_RATE: '5000', CHAT_BURST: '5000' } })

/** A raw Engine.IO/Socket.IO v4 client over `ws` that joins a room, then can stop reading. */
async function rawMember(port: number, roomId: string): Promise<WebSocket> {
  const slow = user('Slow')
  await cluster.addUser(slow)
  const token = signToken(slow)
  // Opened only now, with its listeners attached at once: the server's open packet comes unasked.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&room=${roomId}`)
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject)
    ws.on('close', (code) => reject(new Error(`closed (${code}) before joining`)))
    ws.on('message', (raw) => {
      const frame = String(raw)
      if (frame.startsWith('0{')) ws.send(`40${JSON.stringify({ token })}`)
      else if (frame.startsWith('40{')) ws.send(`420${JSON.stringify(['join_room', { roomId }])}`)
      else if (frame.startsWith('44')) reject(new Error(`refused: ${frame}`))
      else if (frame.startsWith('430[')) {
        const [ack] = JSON.parse(frame.slice(3)) as [{ ok: boolean }]
        if (ack.ok) resolve()
        else reject(new Error(frame))
      } else if (frame === '2') ws.send('3')
    })
  })
  return ws
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
  return Number(line?.[1]) * 1024
}

/** A metric's value (the first sample whose line has `label`, e.g. `reason="slow_client"`). */
async function metric(port: number, name: string, label = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(label))
  return line ? Number(line.split(' ').pop()) : 0
}

test('a client that stops reading is dropped with its queue; the node’s memory stays bounded; others keep receiving', async () => {
  const node = cluster.node(0)
  const pid = node.proc.pid!
  const roomId = await cluster.createRoom()
  const senders = [await cluster.join(node, user('Ann'), roomId), await cluster.join(node, user('Bob'), roomId)]
  const reader = await cluster.join(node, user('Cat'), roomId)
  const received = collect(reader.socket, 'message')
  const slow = await rawMember(node.port, roomId)
  expect(await metric(node.port, 'hangout_gateway_transports')).toBe(4)
  slow.pause()

  const baseline = rssBytes(pid)
  let peak = baseline
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid))
  }, 100)
  const slowDropped = () => metric(node.port, 'hangout_gateway_forced_disconnects_total', 'reason="slow_client"')
  const acked: string[] = []
  const text = `${randomId('x')} ${'y'.repeat(1900)}`
  let dropped = false
  const started = Date.now()
  // Each sender keeps 16 messages in flight until the node has dropped the slow client.
  try {
    await Promise.all(
      senders.flatMap(({ socket }) =>
        Array.from({ length: 16 }, async () => {
          while (!dropped && Date.now() - started < 90_000) {
            const ack: MessageAck = await socket.timeout(10_000).emitWithAck('message', { roomId, text })
            if (!ack.ok) throw new Error(JSON.stringify(ack))
            acked.push(ack.message.id)
            if (acked.length % 100 === 0) dropped = (await slowDropped()) >= 1
          }
        }),
      ),
    )
  } finally {
    // A failed send must not leave the sampler reading /proc of a node the suite is about to stop.
    clearInterval(sampler)
  }
  const seconds = (Date.now() - started) / 1000
  console.log(
    `slow client dropped after ${acked.length} messages of ~2 KB in ${seconds.toFixed(1)} s; ` +
      `node RSS ${(baseline / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB`,
  )
  expect(dropped).toBe(true)
  // Dropped with its queue discarded, not left waiting for a drain until the ping timeout.
  let transports = 0
  await until(
    'the slow transport is released',
    () => {
      metric(node.port, 'hangout_gateway_transports').then((n) => {
        transports = n
      })
      return transports === 3
    },
    5000,
  )
  expect(peak - baseline).toBeLessThan(150 * 2 ** 20)
  // The normal reader got every acknowledged message, and is still served.
  await until('the reader got every acked message', () => received.length >= acked.length, 20_000)
  const ids = new Set(received.map((m) => m.id))
  expect(acked.every((id) => ids.has(id))).toBe(true)
  const after = await senders[0]!.socket.emitWithAck('message', { roomId, text: 'still here?' })
  expect(after.ok).toBe(true)
  await until('the reader still receives', () => received.some((m) => m.text === 'still here?'))
  slow.terminate()
}, 150_000)
