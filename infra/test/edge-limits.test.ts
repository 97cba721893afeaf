/**
 * The edge's own defences, on a real nginx in front of real HTTP servers: X-Forwarded-For is the
 * address nginx saw (never the client's header), no metrics at the edge, and per-address request
 * and connection limits that answer 429 (in the contract's JSON under /api/).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Edge } from '../src/nginx.js'
import { freePort } from '../src/process.js'
import { type EchoServer, startEchoServer } from './support/echo-servers.js'

const LIMITS = { apiRate: 1, apiBurst: 5, socketRate: 1000, socketBurst: 1000, socketConns: 3 }

let dir: string
let api: EchoServer
let holding: Server
let edge: Edge
let edgePort: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hangout-edge-limits-'))
  chmodSync(dir, 0o755)
  const web = join(dir, 'web')
  mkdirSync(web, { recursive: true })
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Hangout</title>')
  api = await startEchoServer('api')
  // A gateway stand-in that holds every request open, as a websocket holds its connection.
  const holdingPort = await freePort()
  holding = createServer(() => {})
  await new Promise<void>((resolve) => holding.listen(holdingPort, '127.0.0.1', resolve))
  edgePort = await freePort()
  edge = await Edge.start({
    port: edgePort,
    apiServers: [api.upstream],
    gatewayServers: [{ upstream: `127.0.0.1:${holdingPort}` }],
    webRoot: web,
    dir: join(dir, 'nginx'),
    limits: LIMITS,
  })
})

afterAll(async () => {
  await edge?.stop()
  holding?.closeAllConnections()
  holding?.close()
  await api?.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Answer {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** A GET through the edge from a loopback address of our choosing, with headers the client chose. */
function get(path: string, localAddress: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: edgePort, path, localAddress, headers, agent: false }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

test('X-Forwarded-For is the address the edge saw, whatever the client sent', async () => {
  const sent: Record<string, string>[] = [
    {},
    { 'x-forwarded-for': '6.6.6.6' },
    { 'x-forwarded-for': '6.6.6.6, 7.7.7.7', 'x-real-ip': '8.8.8.8' },
  ]
  for (const headers of sent) {
    const answer = await get('/api/whoami', '127.0.0.2', headers)
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ id: 'api', url: '/whoami', forwardedFor: '127.0.0.2' })
  }
})

test.each(['/api/metrics', '/api/metrics/', '/api/metrics?format=text', '/api/./metrics', '/api//metrics', '/api/%6detrics'])(
  '%s: 404 at the edge, never passed to the API',
  async (path) => {
    const answer = await get(path, '127.0.0.5')
    expect(answer.status).toBe(404)
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.any(String) } })
  },
)

test('API requests past the rate and burst of one address: 429 RATE_LIMITED in JSON; another address is served', async () => {
  const answers = await Promise.all(Array.from({ length: 12 }, () => get('/api/anything', '127.0.0.3')))
  const statuses = answers.map((a) => a.status)
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(LIMITS.apiBurst)
  expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(LIMITS.apiBurst + 2)
  const limited = answers.find((a) => a.status === 429)
  expect(JSON.parse(limited?.body ?? '{}')).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } })
  expect(limited?.headers['retry-after']).toBe('1')
  expect((await get('/api/anything', '127.0.0.4')).status).toBe(200)
})

test('socket connections past the limit of one address: 429; another address connects', async () => {
  const held = Array.from({ length: LIMITS.socketConns }, () =>
    request({ host: '127.0.0.1', port: edgePort, path: '/socket.io/?room=r1', localAddress: '127.0.0.6', agent: false }),
  )
  for (const req of held) {
    req.on('error', () => undefined)
    req.end()
  }
  // nginx counts a connection once it is being proxied: wait until the holding server has them all.
  const deadline = Date.now() + 5000
  while ((await connectionsOf(holding)) < LIMITS.socketConns) {
    if (Date.now() > deadline) throw new Error('the held requests never reached the stand-in')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  expect((await get('/socket.io/?room=r1', '127.0.0.6')).status).toBe(429)
  const other = request({
    host: '127.0.0.1',
    port: edgePort,
    path: '/socket.io/?room=r1',
    localAddress: '127.0.0.7',
    agent: false,
  })
  other.on('error', () => undefined)
  other.end()
  const before = await connectionsOf(holding)
  const until = Date.now() + 5000
  while ((await connectionsOf(holding)) <= before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
  expect(await connectionsOf(holding)).toBe(LIMITS.socketConns + 1)
  for (const req of [...held, other]) req.destroy()
})

function connectionsOf(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, count) => (err ? reject(err) : resolve(count))))
}
