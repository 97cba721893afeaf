import { createServer, type Server } from 'node:http'
import { freePort } from '../../src/process.js'

/** A real HTTP server that answers every request with its own id, the URL it was asked for and the X-Forwarded-For it got. */
export interface EchoServer {
  id: string
  port: number
  upstream: string
  server: Server
  close(): Promise<void>
}

export async function startEchoServer(id: string): Promise<EchoServer> {
  const port = await freePort()
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ id, url: req.url, forwardedFor: req.headers['x-forwarded-for'] ?? null }))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    id,
    port,
    upstream: `127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
