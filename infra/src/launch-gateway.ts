import { join } from 'node:path'
import { ROOT, TSX_IMPORT } from './paths.js'
import { ManagedProcess, waitFor } from './process.js'

export interface GatewayLaunch {
  port: number
  nodeId?: string
  /** Extra environment (REDIS_URL, MONGO_URL, GRACE_MS...), over this process's own. */
  env?: NodeJS.ProcessEnv
  logFile?: string
}

/** Starts a real gateway node process and resolves once its /healthz answers 200. */
export async function startGateway({ port, nodeId, env, logFile }: GatewayLaunch, timeoutMs = 60000): Promise<ManagedProcess> {
  const id = nodeId ?? `node-${port}`
  const proc = new ManagedProcess({
    name: `gateway:${id}`,
    command: process.execPath,
    args: [...TSX_IMPORT, join(ROOT, 'gateway/src/main.ts')],
    cwd: ROOT,
    env: { ...env, PORT: String(port), NODE_ID: id, HOST: '127.0.0.1' },
    logFile,
  })
  await waitFor(
    `gateway ${id} on port ${port}`,
    async () => {
      if (!proc.running) throw new Error(`gateway ${id} exited`)
      const response = await fetch(`http://127.0.0.1:${port}/healthz`)
      return response.status === 200
    },
    timeoutMs,
  ).catch((err: Error) => {
    proc.signal('SIGKILL')
    throw new Error(`${err.message}\n--- gateway ${id} output ---\n${proc.output}`)
  })
  return proc
}
