import { probeHealth } from '@hangout/runtime'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type EdgeConfig, renderNginxConfig } from './nginx-config.js'
import { GaveUp, ManagedProcess, servesOn, waitFor } from './process.js'

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx'

export interface EdgeOptions {
  /** The port the edge listens on (loopback). */
  port: number
  apiServers: string[]
  gatewayServers: EdgeConfig['gatewayServers']
  webRoot: string
  /** nginx's prefix: config, pid, temp files, logs (e.g. .data/nginx). */
  dir: string
  logFile?: string
  /** See EdgeConfig.gatewayBalance. */
  gatewayBalance?: EdgeConfig['gatewayBalance']
  /** See EdgeConfig.limits. */
  limits?: EdgeConfig['limits']
}

function edgeConfig(options: EdgeOptions, generation: number): EdgeConfig {
  return {
    listen: `127.0.0.1:${options.port}`,
    webRoot: options.webRoot,
    runDir: options.dir,
    accessLog: join(options.dir, 'access.log'),
    errorLog: join(options.dir, 'error.log'),
    apiServers: options.apiServers,
    gatewayServers: options.gatewayServers,
    gatewayBalance: options.gatewayBalance,
    limits: options.limits,
    generation: String(generation),
  }
}

/**
 * `nginx -t` on a config file; resolves with nginx's report, rejects with it when the test fails.
 * (stdout goes to /dev/null, so a config logging to /dev/stdout, as in a container, opens.)
 */
export async function testNginxConfig(confFile: string, prefix: string): Promise<string> {
  mkdirSync(prefix, { recursive: true })
  const child = spawn(NGINX_BIN, ['-t', '-p', prefix, '-c', confFile, '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let report = ''
  child.stderr.on('data', (chunk: Buffer) => {
    report += chunk.toString()
  })
  const [code] = (await once(child, 'close')) as [number | null]
  if (code !== 0) throw new Error(`nginx -t failed for ${confFile}:\n${report}`)
  return report
}

/** A running nginx edge under our control: started in the foreground, reloaded with SIGHUP. */
export class Edge {
  private generation = 0
  readonly confFile: string

  private constructor(
    private options: EdgeOptions,
    readonly process: ManagedProcess,
  ) {
    this.confFile = join(options.dir, 'nginx.conf')
  }

  static async start(options: EdgeOptions): Promise<Edge> {
    writeConfig(options, 0)
    const confFile = join(options.dir, 'nginx.conf')
    await testNginxConfig(confFile, options.dir)
    const proc = new ManagedProcess({
      name: `nginx:${options.port}`,
      command: NGINX_BIN,
      args: ['-p', options.dir, '-c', confFile, '-e', join(options.dir, 'error.log')],
      logFile: options.logFile,
    })
    const edge = new Edge(options, proc)
    try {
      await edge.waitForGeneration(0)
    } catch (err) {
      await proc.stop()
      throw err
    }
    return edge
  }

  get port(): number {
    return this.options.port
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`
  }

  get gatewayServers(): EdgeConfig['gatewayServers'] {
    return this.options.gatewayServers
  }

  /**
   * Rewrites the config (new gateway set, say), checks it with `nginx -t`, and reloads: nginx's
   * old workers finish their connections while new ones take new requests. Resolves once the new
   * config answers.
   */
  async reload(changes: Partial<Pick<EdgeOptions, 'apiServers' | 'gatewayServers' | 'gatewayBalance'>> = {}): Promise<void> {
    const next = { ...this.options, ...changes }
    const generation = this.generation + 1
    writeConfig(next, generation)
    await testNginxConfig(this.confFile, next.dir)
    this.options = next
    this.generation = generation
    this.process.signal('SIGHUP')
    await this.waitForGeneration(generation)
  }

  /** SIGQUIT: graceful shutdown (workers finish open requests), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.process.running) return
    this.process.signal('SIGQUIT')
    const timer = setTimeout(() => this.process.signal('SIGKILL'), graceMs)
    await this.process.exited
    clearTimeout(timer)
  }

  private async waitForGeneration(generation: number): Promise<void> {
    await waitFor(`nginx on ${this.options.port} serving config ${generation}`, async () => {
      if (!this.process.running) throw new GaveUp(`nginx exited:\n${this.process.output}${this.errorLogTail()}`)
      const answer = await probeHealth(`${this.url}/edge/healthz`, 1000)
      // Another edge on this port answers the same page: only ours holding the port counts. (nginx
      // retries a taken port for 2.5 s before it exits, and the port answers all along.)
      return answer?.body?.config === String(generation) && servesOn(this.process, this.options.port)
    })
  }

  /** nginx reports startup failures (a port already in use) in its error log, not on stderr. */
  private errorLogTail(): string {
    try {
      return `\n${readFileSync(join(this.options.dir, 'error.log'), 'utf8').trim().split('\n').slice(-5).join('\n')}`
    } catch {
      return ''
    }
  }
}

function writeConfig(options: EdgeOptions, generation: number): void {
  mkdirSync(options.dir, { recursive: true })
  writeFileSync(join(options.dir, 'nginx.conf'), renderNginxConfig(edgeConfig(options, generation)))
}
