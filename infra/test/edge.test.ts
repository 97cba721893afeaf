import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildRing, homeOf, nextLive } from '@hangout/gateway/ring'
import { Edge } from '../src/nginx.js'
import { freePort } from '../src/process.js'
import { type EchoServer, mapLimit, startEchoServer } from './support/echo-servers.js'

const ROOMS = Array.from({ length: 3000 }, (_, i) => `r${i}_${Math.random().toString(36).slice(2, 10)}`)

let dir: string
let api: EchoServer
let gateways: EchoServer[]
let edge: Edge

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hangout-edge-'))
  chmodSync(dir, 0o755) // nginx's workers may run as another user (nobody, when the tests run as root)
  const web = join(dir, 'web')
  mkdirSync(join(web, 'assets'), { recursive: true })
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Hangout</title>')
  writeFileSync(join(web, 'assets', 'index-3f9a1c.js'), 'console.log(1)')
  api = await startEchoServer('api')
  gateways = await Promise.all(['g1', 'g2', 'g3', 'g4'].map(startEchoServer))
  edge = await Edge.start({
    port: await freePort(),
    apiServers: [api.upstream],
    gatewayServers: gateways.slice(0, 3).map((g) => ({ upstream: g.upstream })),
    webRoot: web,
    dir: join(dir, 'nginx'),
    // Each round probes 3,000 rooms from one address; the per-address limits are tried in edge-limits.test.ts.
    limits: { socketRate: 1_000_000, socketBurst: 1_000_000 },
  })
})

afterAll(async () => {
  await edge?.stop()
  await Promise.all([api, ...gateways].map((s) => s?.close()))
  rmSync(dir, { recursive: true, force: true })
})

async function nodeOf(room: string): Promise<string> {
  const res = await fetch(`${edge.url}/socket.io/?EIO=4&transport=polling&room=${room}`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { id: string }).id
}

function ringOf(servers: EchoServer[]) {
  return buildRing(servers.map((g) => ({ id: g.id, upstream: g.upstream })))
}

describe('the nginx edge', () => {
  test('serves the web app: hashed assets cached for good, index.html and SPA routes revalidated, security headers', async () => {
    const asset = await fetch(`${edge.url}/assets/index-3f9a1c.js`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const missing = await fetch(`${edge.url}/assets/nope.js`)
    expect(missing.status).toBe(404)
    for (const path of ['/', '/room/abc_123', '/login']) {
      const res = await fetch(edge.url + path)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('<title>Hangout</title>')
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
      expect(res.headers.get('content-security-policy')).toContain('connect-src')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('server')).toBe('nginx')
    }
  })

  test('/api/ reaches the API with the prefix stripped, and the edge sets no cache header there', async () => {
    const res = await fetch(`${edge.url}/api/auth/login?x=1`, { method: 'POST', body: '{}' })
    expect(await res.json()).toEqual({ id: 'api', url: '/auth/login?x=1', forwardedFor: '127.0.0.1' })
    expect(res.headers.get('cache-control')).toBeNull()
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })

  test('the access log is JSON with a request id, and keeps neither the query string nor the Authorization header', async () => {
    await fetch(`${edge.url}/socket.io/?room=logged&token=SECRET-IN-QUERY`, {
      headers: { authorization: 'Bearer SECRET-IN-HEADER' },
    })
    await fetch(`${edge.url}/api/auth/profile`, { headers: { authorization: 'Bearer SECRET-IN-HEADER' } })
    const log = readFileSync(join(dir, 'nginx', 'access.log'), 'utf8')
    const lines = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toContainEqual(expect.objectContaining({ method: 'GET', uri: '/socket.io/', room: 'logged' }))
    for (const line of lines) expect(line.request_id).toMatch(/^[0-9a-f]{32}$/)
    expect(log).not.toContain('SECRET')
  })

  test('errors the edge makes itself under /api/ answer in the contract shape; elsewhere nginx keeps its own page', async () => {
    const refused = await rawRequest('GET /api/rooms/%00/messages HTTP/1.1')
    expect(refused.status).toBe(400)
    expect(refused.headers).toMatch(/content-type: application\/json/i)
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.any(String) } })
    const page = await rawRequest('GET /room/%00 HTTP/1.1')
    expect(page.status).toBe(400)
    expect(page.body).toContain('<html>')

    const big = await fetch(`${edge.url}/api/auth/register`, { method: 'POST', body: 'x'.repeat(70_000) })
    expect(big.status).toBe(413)
    expect(await big.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } })

    await api.close()
    try {
      const down = await fetch(`${edge.url}/api/auth/profile`)
      expect(down.status).toBe(503)
      expect(await down.json()).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } })
    } finally {
      api = await startEchoServerOn(api)
    }
  })

  test(`nginx sends each of ${ROOMS.length} rooms to the node the ring computes`, async () => {
    const ring = ringOf(gateways.slice(0, 3))
    const chosen = await mapLimit(ROOMS, 24, nodeOf)
    const disagreements = ROOMS.filter((room, i) => chosen[i] !== homeOf(ring, room))
    expect(disagreements).toEqual([])
    expect(new Set(chosen)).toEqual(new Set(['g1', 'g2', 'g3']))
  })

  test('with one node down, nginx moves on to the next live node the ring names', async () => {
    const ring = ringOf(gateways.slice(0, 3))
    const down = gateways[1] as EchoServer
    await down.close()
    try {
      const chosen = await mapLimit(ROOMS, 24, nodeOf)
      const expected = ROOMS.map((room) => nextLive(ring, room, (id) => id !== down.id))
      expect(ROOMS.filter((_, i) => chosen[i] !== expected[i])).toEqual([])
      const moved = ROOMS.filter((room, i) => homeOf(ring, room) === down.id && chosen[i] !== down.id)
      expect(moved.length).toBeGreaterThan(ROOMS.length / 6)
    } finally {
      gateways[1] = await startEchoServerOn(down)
    }
    // At once back home: nginx marked nothing failed (max_fails=0), so no fail_timeout to wait out.
    const homed = ROOMS.filter((room) => homeOf(ring, room) === down.id).slice(0, 200)
    expect(new Set(await mapLimit(homed, 24, nodeOf))).toEqual(new Set([down.id]))
  })

  test('a reload with a fourth node: nginx and the ring agree again, and only the new node gains rooms', async () => {
    const before = ringOf(gateways.slice(0, 3))
    await edge.reload({ gatewayServers: gateways.map((g) => ({ upstream: g.upstream })) })
    const after = ringOf(gateways)
    const sample = ROOMS.slice(0, 1500)
    const chosen = await mapLimit(sample, 24, nodeOf)
    expect(sample.filter((room, i) => chosen[i] !== homeOf(after, room))).toEqual([])
    const moved = sample.filter((room) => homeOf(before, room) !== homeOf(after, room))
    expect(moved.every((room) => homeOf(after, room) === 'g4')).toBe(true)
    expect(moved.length / sample.length).toBeGreaterThan(0.12)
    expect(moved.length / sample.length).toBeLessThan(0.38)
  })
})

/** One request written by hand (fetch would refuse or re-encode a URI like these). */
async function rawRequest(requestLine: string): Promise<{ status: number; headers: string; body: string }> {
  const { connect } = await import('node:net')
  const socket = connect(edge.port, '127.0.0.1')
  socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
  let text = ''
  for await (const chunk of socket) text += String(chunk)
  const [head = '', body = ''] = text.split('\r\n\r\n')
  return { status: Number(head.split(' ')[1]), headers: head, body }
}

/** The same id and port again (nginx's config names the port). */
async function startEchoServerOn(old: EchoServer): Promise<EchoServer> {
  const { createServer } = await import('node:http')
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ id: old.id, url: req.url }))
  })
  await new Promise<void>((resolve) => server.listen(old.port, '127.0.0.1', resolve))
  return {
    ...old,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
