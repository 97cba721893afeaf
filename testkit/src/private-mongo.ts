/**
 * A MongoDB-wire server (FerretDB) of one suite's own, in a folder of its own, so that a test may
 * kill, freeze or restart it (the shared server never is).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { startFerretDb } from '@hangout/infra/services'

export class PrivateMongo {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private process: ManagedProcess,
  ) {}

  static async start(): Promise<PrivateMongo> {
    const dir = mkdtempSync(join(tmpdir(), 'hangout-ferret-'))
    const port = await freePort()
    return new PrivateMongo(port, dir, await startFerretDb(port, dir))
  }

  /** The server's URL, without a database. */
  get url(): string {
    return `mongodb://127.0.0.1:${this.port}`
  }

  /** kill -9: the server is gone, its data stays in `dir`. */
  kill(): Promise<void> {
    return this.process.kill()
  }

  /** SIGSTOP freezes it (connections stay open, nothing is answered), SIGCONT resumes it. */
  signal(signal: NodeJS.Signals): void {
    this.process.signal(signal)
  }

  /** Starts it again on the same port and data, after `kill`. */
  async restart(): Promise<void> {
    this.process = await startFerretDb(this.port, this.dir)
  }

  /** Resumes it if frozen, stops it and removes its data. */
  async stop(): Promise<void> {
    this.process.signal('SIGCONT')
    await this.process.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
