import { resolve } from 'node:path'
import { isHealthy } from '@hangout/runtime'
import { ROOT, TSX_IMPORT } from './paths.js'
import { ManagedProcess, servesOn } from './process.js'

export interface ServiceLaunch {
  /** Shown in logs and errors, e.g. `api:3000`, `gateway:node-1`. */
  name: string
  /** The service's entry point, from the repository root. */
  entry: string
  port: number
  /** Added to this process's environment; PORT is set from `port`. */
  env?: NodeJS.ProcessEnv
  logFile?: string
  timeoutMs?: number
}

/**
 * Starts a service's real process (`node --import tsx <entry>`) and resolves once its /healthz
 * answers 200 and the process itself holds the port; kills it and throws with its output when it exits or stays unhealthy. The one
 * launcher the supervisor, the tests and the bench use.
 */
export async function startService({
  name,
  entry,
  port,
  env = {},
  logFile,
  timeoutMs = 60000,
}: ServiceLaunch): Promise<ManagedProcess> {
  const proc = new ManagedProcess({
    name,
    command: process.execPath,
    args: [...TSX_IMPORT, resolve(ROOT, entry)],
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
      throw new Error(`${name} on ${port} did not become healthy: ${problem}\n--- ${name} output ---\n${proc.output}`)
    }
    // Our process's /healthz: not another service's that holds the port (then ours exits, EADDRINUSE).
    if ((await isHealthy(`http://${host}:${port}/healthz`)) && servesOn(proc, port)) return proc
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
}

export interface ApiLaunch {
  port: number
  /** MONGO_URL, REDIS_URL, JWT_*, ... */
  env?: NodeJS.ProcessEnv
  logFile?: string
  timeoutMs?: number
}

/** The real API server (api/src/server.ts), healthy. */
export function startApi({ port, env, logFile, timeoutMs }: ApiLaunch): Promise<ManagedProcess> {
  return startService({ name: `api:${port}`, entry: 'api/src/server.ts', port, env, logFile, timeoutMs })
}

export interface GatewayLaunch {
  port: number
  nodeId?: string
  /** REDIS_URL, MONGO_URL, GRACE_MS, ... */
  env?: NodeJS.ProcessEnv
  logFile?: string
}

/** With this in a gateway's environment, it runs from that other checkout of the repository (the bench's `--twin`). */
export const GATEWAY_CHECKOUT_ENV = 'HANGOUT_GATEWAY_CHECKOUT'

/** A real gateway node (gateway/src/main.ts), healthy. */
export function startGateway({ port, nodeId, env, logFile }: GatewayLaunch, timeoutMs = 60000): Promise<ManagedProcess> {
  const id = nodeId ?? `node-${port}`
  return startService({
    name: `gateway:${id}`,
    entry: resolve(env?.[GATEWAY_CHECKOUT_ENV] ?? ROOT, 'gateway/src/main.ts'),
    port,
    env: { ...env, NODE_ID: id, HOST: '127.0.0.1' },
    logFile,
    timeoutMs,
  })
}
