/**
 * Frames no Socket.IO client would send, straight to a gateway node over `ws`, and an upgrade with
 * thousands of headers: each is refused or closes only its own connection; the node stays up,
 * a well-behaved client beside it keeps working, and nothing reaches the room or the database.
 */
import { connect as tcp } from 'node:net'
import { type Client, connect, createRoom, join, register, say, type TestUser } from '@hangout/testkit/clients'
import { type ClusterUnderTest, recordAll, startClusterUnderTest } from '@hangout/testkit/cluster-under-test'
import { RawSocket } from '../support/raw-socket.js'

let t: ClusterUnderTest
let user: TestUser
let roomId: string
let observer: Client
let observed: ReturnType<typeof recordAll>
let nodeUrl: string

beforeAll(async () => {
  t = await startClusterUnderTest({ gateways: 1 })
  nodeUrl = t.cluster.gateway(1).url
  user = await register(t.cluster.url)
  const other = await register(t.cluster.url)
  roomId = await createRoom(t.cluster.url, user)
  observer = t.track(connect(t.cluster.url, roomId, other))
  await join(observer, roomId)
  observed = recordAll(observer)
}, 60_000)

const outcomes: string[] = []
afterAll(async () => {
  // HANGOUT_REPORT=1 prints what the node did with each frame (for RELIABILITY.md).
  if (process.env.HANGOUT_REPORT) console.info(outcomes.join('\n'))
  await t?.stop()
})

async function joined(): Promise<RawSocket> {
  const raw = await RawSocket.connect(nodeUrl, roomId, { token: user.token })
  const ack = await raw.emitWithAck('join_room', { roomId })
  expect(ack).toMatchObject({ ok: true })
  return raw
}

const big = 'x'.repeat(40_000)
const FRAMES: [string, (room: string) => (string | Buffer)[]][] = [
  ['empty frame', () => ['']],
  ['unknown Engine.IO type', () => ['9hello']],
  ['Engine.IO message, no Socket.IO type', () => ['4']],
  ['unknown Socket.IO type', () => ['49["message"]']],
  ['truncated JSON', (room) => [`42["message",{"roomId":"${room}","text":"hi"`]],
  ['event name not a string', () => ['42[1,{"a":1}]']],
  ['empty event array', () => ['42[]']],
  ['event payload not an array', () => ['42{"roomId":"x"}']],
  ['reserved event name', (room) => [`42["disconnect",{"roomId":"${room}"}]`]],
  ['reserved event name with ack', () => ['421["connect",{}]']],
  ['ack id past 2^53', () => ['4299999999999999999999["leave_room",{}]']],
  ['client-sent ack for no request', () => ['437[{"ok":true}]']],
  ['unknown namespace', () => ['40/admin,{}']],
  ['second CONNECT on the main namespace', () => ['40{"token":"x"}']],
  ['binary event claiming 11 attachments (limit 10)', (room) => [`4511-["message",{"roomId":"${room}","text":"x"}]`]],
  ['binary event claiming 10^9 attachments', (room) => [`451000000000-["message",{"roomId":"${room}","text":"x"}]`]],
  ['binary event with a negative attachment count', () => ['45-1-["message",{}]']],
  [
    'binary event truncated: text arrives where its attachment should',
    (room) => [`451-["message",{"roomId":"${room}","text":{"_placeholder":true,"num":0}}]`, '42["leave_room",{}]'],
  ],
  [
    'binary event whose placeholder points past its attachments',
    (room) => [`451-["message",{"roomId":"${room}","text":{"_placeholder":true,"num":5}}]`, Buffer.from('hi')],
  ],
  ['binary frame with no binary event pending', () => [Buffer.from([1, 2, 3, 4])]],
  ['frame over maxHttpBufferSize', (room) => [`42["message",{"roomId":"${room}","text":"${big}"}]`]],
  ['Engine.IO upgrade probe on an open websocket', () => ['2probe', '5']],
]

describe('malformed Engine.IO / Socket.IO frames straight to a node', () => {
  test.each(FRAMES)('%s: closes only its own connection, or is ignored', async (_name, frames) => {
    const raw = await joined()
    const bystander = await joined()
    for (const frame of frames(roomId)) raw.send(frame)
    const closed = await raw.closedWithin(500)
    outcomes.push(`${_name}: ${closed ? `closed (${raw.closedWith})` : 'ignored, socket still works'}`)
    if (!closed) {
      // Still open: it must still work, and what it sent changed nothing.
      expect(await raw.emitWithAck('leave_room', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    }
    const node = t.cluster.gateway(1)
    expect(node.running).toBe(true)
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200)
    expect(await bystander.emitWithAck('scroll_update', { roomId, top: 0.25 })).toEqual({ ok: true })
    raw.close()
    bystander.close()
  })

  test('afterwards: the observer got only the bystanders’ scrolls, and nothing was stored', async () => {
    const events = new Set(observed.map((e) => e.event))
    events.delete('user_joined')
    events.delete('user_leaved')
    expect([...events]).toEqual(['scroll_updated'])
    expect(observed.filter((e) => e.event === 'scroll_updated')).toHaveLength(FRAMES.length)
    expect(await t.count('messages')).toBe(0)
    const sent = await say(observer, roomId, 'still here')
    expect(sent.message.seq).toBe(1)
  })
})

/** Sends an HTTP/1.1 WebSocket upgrade with `count` extra headers; answers the status line (or 'closed'). */
function upgradeWithHeaders(port: number, count: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcp({ port, host: '127.0.0.1' })
    let answer = ''
    socket.on('data', (chunk) => {
      answer += chunk.toString()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(answer.split('\r\n')[0] || 'closed'))
    socket.setTimeout(5000, () => socket.destroy())
    const headers = Array.from({ length: count }, (_, i) => `x-h${i}: ${i}\r\n`).join('')
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
      () => socket.end(),
    )
  })
}

describe('an upgrade with thousands of headers', () => {
  test('straight to a node: 431, the node stays up', async () => {
    const node = t.cluster.gateway(1)
    expect(await upgradeWithHeaders(node.port, 5000, `/socket.io/?EIO=4&transport=websocket&room=${roomId}`)).toMatch(
      /^HTTP\/1\.1 431/,
    )
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200)
  })

  test('through the edge: a 4xx from nginx, edge and node up', async () => {
    const status = await upgradeWithHeaders(t.cluster.edgePort, 5000, `/socket.io/?EIO=4&transport=websocket&room=${roomId}`)
    expect(status).toMatch(/^HTTP\/1\.1 4\d\d/)
    expect((await fetch(`${t.cluster.url}/api/healthz`)).status).toBeLessThan(500)
    expect((await fetch(`${t.cluster.gateway(1).url}/healthz`)).status).toBe(200)
  })
})
