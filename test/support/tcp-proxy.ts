/**
 * A TCP proxy (real sockets) between one process and a server, to cut that process off and heal
 * it: `cut()` resets every open connection and refuses new ones until `heal()`.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'

export class TcpProxy {
  private readonly open = new Set<Socket>()
  private cutOff = false
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
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
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
