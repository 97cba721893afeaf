import { join } from 'node:path'
import { ROOT, TSX_IMPORT } from './paths.js'
import { ManagedProcess } from './process.js'

export interface StartApiOptions {
  port: number
  /** Added to this process's environment (MONGO_URL, REDIS_URL, JWT_*, ...); PORT is set from `port`. */
  env?: NodeJS.ProcessEnv
  logFile?: string
  timeoutMs?: number
}

/** Starts the real API server (`node --import tsx api/src/server.ts`) and waits until /healthz answers 200. */
export async function startApi({ port, env = {}, logFile, timeoutMs = 60000 }: StartApiOptions): Promise<ManagedProcess> {
  const proc = new ManagedProcess({
    name: `api:${port}`,
    command: process.execPath,
    args: [...TSX_IMPORT, join('api', 'src', 'server.ts')],
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    logFile,
  })
  const host = env.HOST && env.HOST !== '0.0.0.0' ? env.HOST : '127.0.0.1'
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const problem = !proc.running
      ? `it exited with code ${await proc.exited}`
      : Date.now() > deadline
        ? `no 200 from /healthz within ${timeoutMs} ms`
        : undefined
    if (problem) {
      await proc.stop()
      throw new Error(`api on ${port} did not become healthy: ${problem}\n--- api output ---\n${proc.output}`)
    }
    if (await healthy(`http://${host}:${port}/healthz`)) break
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  return proc
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200
  } catch {
    return false
  }
}
