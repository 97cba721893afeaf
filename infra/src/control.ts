import { createServer, request, type Server } from 'node:http'
import { mkdirSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * The local supervisor's control channel: HTTP over a Unix socket only the same user can reach.
 * `POST /scale {"nodes": N}` resizes the cluster; `GET /status` describes it.
 */
export interface ControlHandlers {
  scale(nodes: number): Promise<unknown>
  status(): unknown
}

export async function serveControl(socketPath: string, handlers: ControlHandlers): Promise<Server> {
  mkdirSync(dirname(socketPath), { recursive: true })
  rmSync(socketPath, { force: true })
  let busy = false
  const server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    try {
      if (req.method === 'GET' && req.url === '/status') return reply(200, handlers.status())
      if (req.method === 'POST' && req.url === '/scale') {
        let body = ''
        for await (const chunk of req) body += chunk
        const nodes = (JSON.parse(body || '{}') as { nodes?: unknown }).nodes
        if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 1 || nodes > 20) {
          return reply(400, { error: 'nodes must be an integer from 1 to 20 (gateway i listens on 3100 + i)' })
        }
        if (busy) return reply(409, { error: 'a scale is already in progress' })
        busy = true
        try {
          return reply(200, await handlers.scale(nodes))
        } finally {
          busy = false
        }
      }
      reply(404, { error: 'no such control command' })
    } catch (err) {
      reply(500, { error: (err as Error).message })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ path: socketPath, readableAll: false, writableAll: false }, resolve)
  })
  return server
}

export function callControl(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json' } }, async (res) => {
      let text = ''
      for await (const chunk of res) text += chunk
      resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined })
    })
    req.once('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}
