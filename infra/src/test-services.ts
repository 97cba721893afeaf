import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from './paths.js'
import { freePort, isPortTaken, type ManagedProcess } from './process.js'
import { ensureServices, startFerretDb, startRedis } from './services.js'

export interface TestServices {
  redisUrl: string
  mongoUrl: string
  /** Stops what this call started and removes its data. */
  stop(): Promise<void>
}

/**
 * The Redis and MongoDB-wire server of one test run: those REDIS_URL and MONGO_URL name when set;
 * otherwise a redis-server and a FerretDB of this run's own, on free ports (FerretDB on a data
 * folder of its own). Why: a run that borrowed another run's servers on the default ports lost
 * them the moment that run ended and stopped them, and two runs at once is what CI does here.
 */
export async function startTestServices(env: NodeJS.ProcessEnv, logDir: string): Promise<TestServices> {
  const started: ManagedProcess[] = []
  const dirs: string[] = []
  const stop = async () => {
    await Promise.all(started.map((proc) => proc.stop()))
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
  try {
    let redisUrl = env.REDIS_URL
    if (!redisUrl) {
      const port = await onFreshPort((port) => startRedis(port, join(logDir, `redis-${port}.log`)))
      started.push(port.proc)
      redisUrl = `redis://127.0.0.1:${port.port}`
    }
    let mongoUrl = env.MONGO_URL
    if (!mongoUrl) {
      const port = await onFreshPort((port) => {
        const dir = join(DATA_DIR, `ferretdb-test-${port}`)
        dirs.push(dir)
        return startFerretDb(port, dir, join(logDir, `ferretdb-${port}.log`))
      })
      started.push(port.proc)
      mongoUrl = `mongodb://127.0.0.1:${port.port}/hangout`
    }
    // Given URLs must answer (ensureServices starts nothing for them: it only checks).
    const given = await ensureServices({ ...env, REDIS_URL: redisUrl, MONGO_URL: mongoUrl }, logDir)
    started.push(...given.started)
    return { redisUrl, mongoUrl, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** `start` on a free port, and on another if that one was taken before the server bound it. */
async function onFreshPort(start: (port: number) => Promise<ManagedProcess>): Promise<{ port: number; proc: ManagedProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      return { port, proc: await start(port) }
    } catch (err) {
      if (attempt >= 3 || !isPortTaken(err)) throw err
    }
  }
}
