/**
 * A Socket.IO v5 / Engine.IO v4 client written by hand over `ws`, to send frames no real client
 * would: malformed, truncated, with too many binary attachments.
 */
import { waitFor } from '@hangout/infra/process'
import WebSocket from 'ws'

export class RawSocket {
  readonly frames: (string | Buffer)[] = []
  closedWith: number | undefined
  private nextAckId = 100

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? (data as Buffer) : data.toString()
      if (frame === '2')
        ws.send('3') // Engine.IO ping → pong
      else this.frames.push(frame)
    })
    ws.on('close', (code) => {
      this.closedWith = code
    })
    ws.on('error', () => {})
  }

  /** Opens the WebSocket transport and connects the main namespace with `auth`. */
  static async connect(baseUrl: string, room: string, auth: unknown): Promise<RawSocket> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room)}`
    const socket = new RawSocket(new WebSocket(url))
    await socket.expect('Engine.IO open', (f) => typeof f === 'string' && f.startsWith('0{'))
    socket.send(`40${JSON.stringify(auth)}`)
    await socket.expect('namespace connect', (f) => typeof f === 'string' && /^4[04]/.test(f))
    return socket
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  send(frame: string | Buffer): void {
    this.ws.send(frame)
  }

  /** Waits for a frame matching `match` (removing it), or throws. */
  async expect(what: string, match: (frame: string | Buffer) => boolean, timeoutMs = 5000): Promise<string | Buffer> {
    let found: string | Buffer | undefined
    await waitFor(
      what,
      async () => {
        const index = this.frames.findIndex(match)
        if (index >= 0) found = this.frames.splice(index, 1)[0]
        else if (this.closedWith !== undefined) throw new Error(`closed (${this.closedWith}) before ${what}`)
        return found !== undefined
      },
      timeoutMs,
      10,
    )
    return found as string | Buffer
  }

  /** Emits an event with an ack id and answers the ack's payload. */
  async emitWithAck(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAckId++
    this.send(`42${id}${JSON.stringify([event, payload])}`)
    const prefix = `43${id}[`
    const frame = (await this.expect(`ack ${id}`, (f) => typeof f === 'string' && f.startsWith(prefix))) as string
    return (JSON.parse(frame.slice(prefix.length - 1)) as unknown[])[0]
  }

  /** True once the server closes the connection within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    return waitFor('close', async () => this.closedWith !== undefined, timeoutMs, 10).then(
      () => true,
      () => false,
    )
  }

  close(): void {
    this.ws.terminate()
  }
}
