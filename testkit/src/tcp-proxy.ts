/**
 * A TCP proxy (real sockets) between one process and a server, to cut that process off and heal
 * it: `cut()` resets every open connection and refuses new ones until `heal()`; `stall()` holds
 * the server's replies until `flow()` (a server that answers late).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'

export class TcpProxy {
  private readonly open = new Set<Socket>()
  private cutOff = false
  private stalled = false
  /** Each open connection's server side and its client, for `stall`. */
  private readonly replies = new Map<Socket, Socket>()
  /** Connections refused or reset while cut. */
  refused = 0

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards each connection to `targetPort` there. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port')
    const proxy = new TcpProxy(server, address.port)
    server.on('connection', (client) => proxy.forward(client, targetPort))
    return proxy
  }

  private forward(client: Socket, targetPort: number): void {
    if (this.cutOff) {
      this.refused++
      client.resetAndDestroy()
      return
    }
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' })
    for (const socket of [client, upstream]) {
      this.open.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => {
        this.open.delete(socket)
        this.replies.delete(upstream)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    this.replies.set(upstream, client)
    if (this.stalled) upstream.pause()
    else upstream.pipe(client)
  }

  /** Holds every server reply (connections stay open, requests still go through) until `flow`. */
  stall(): void {
    this.stalled = true
    for (const [upstream, client] of this.replies) {
      upstream.unpipe(client)
      upstream.pause()
    }
  }

  flow(): void {
    this.stalled = false
    for (const [upstream, client] of this.replies) upstream.pipe(client)
  }

  cut(): void {
    this.cutOff = true
    for (const socket of this.open) {
      this.refused++
      socket.resetAndDestroy()
    }
  }

  heal(): void {
    this.cutOff = false
  }

  async stop(): Promise<void> {
    this.cut()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
