import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createConnection, createServer } from 'node:net'
import { listensOn } from './listener.js'

export interface ProcessOptions {
  name: string
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Append stdout and stderr here; otherwise they are kept in memory (last 64 KiB) for failures. */
  logFile?: string
}

/** A child process this project started, and stops again. */
export class ManagedProcess {
  readonly child: ChildProcess
  private tail = ''
  readonly exited: Promise<number | null>

  constructor(readonly options: ProcessOptions) {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    const log = options.logFile ? openLog(options.logFile) : undefined
    const keep = (chunk: Buffer) => {
      if (log) log.write(chunk)
      this.tail = (this.tail + chunk.toString()).slice(-65536)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        log?.end()
        resolve(code ?? (signal ? -1 : null))
      })
      child.once('error', (err) => {
        this.tail += `\n${err.message}`
        resolve(-1)
      })
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get output(): string {
    return this.tail
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig)
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }

  async kill(): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGKILL')
    await this.exited
  }
}

function openLog(file: string) {
  mkdirSync(dirname(file), { recursive: true })
  return createWriteStream(file, { flags: 'a' })
}

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host })
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** Thrown by a waitFor probe to stop waiting at once: what it waits for will never come (its process exited). */
export class GaveUp extends Error {
  override name = 'GaveUp'
}

/**
 * Polls until `probe` answers true, or throws naming `what` after `timeoutMs`. A probe that throws
 * counts as "not yet" (a refused connection), except a GaveUp, which ends the wait with it.
 */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ready = await probe().catch((err: unknown) => {
      if (err instanceof GaveUp) throw err
      return false
    })
    if (ready) return
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Waits until the port answers; with `proc`, until `proc` itself listens there (see listener.ts). */
export async function waitForPort(port: number, proc?: ManagedProcess, timeoutMs = 20000): Promise<void> {
  await waitFor(
    `port ${port}${proc ? ` (${proc.options.name})` : ''}`,
    async () => {
      if (proc && !proc.running) throw new GaveUp(`${proc.options.name} exited:\n${proc.output}`)
      return (await portOpen(port)) && (!proc || servesOn(proc, port))
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}${proc ? `\n--- ${proc.options.name} output ---\n${proc.output}` : ''}`)
  })
}

/** A free TCP port on loopback, as the kernel hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** False once we can tell that the port is held by a process other than `proc` (or by none). */
export function servesOn(proc: ManagedProcess, port: number): boolean {
  return listensOn(proc.pid, port) !== false
}

/** An error from a server that could not bind its port (another process holds it). */
export function isPortTaken(err: unknown): boolean {
  return err instanceof Error && /EADDRINUSE|Address already in use|could not bind/.test(err.message)
}
