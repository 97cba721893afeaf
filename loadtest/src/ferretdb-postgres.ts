/**
 * A FerretDB of the bench's own with its PostgreSQL backend, on the PostgreSQL the local store uses
 * (infra/src/postgres.ts: PG_URL, the machine's, or a cluster of our own). Each MongoDB database
 * becomes a schema in it, so dropping the bench's database cleans up.
 */
import { freePort, type ManagedProcess } from '@hangout/infra/process'
import { ensurePostgres } from '@hangout/infra/postgres'
import { startFerretDbOnPostgres as startOn } from '@hangout/infra/services'

/** Starts it; resolves with the processes started (FerretDB last), its mongodb:// URL and the PostgreSQL's. */
export async function startFerretDbOnPostgres(
  logFile: string,
): Promise<{ procs: ManagedProcess[]; mongoUrl: string; pgUrl: string }> {
  const pg = await ensurePostgres(process.env)
  const port = await freePort()
  const ferret = await startOn(port, pg.url, logFile)
  return { procs: [...(pg.started ? [pg.started] : []), ferret], mongoUrl: `mongodb://127.0.0.1:${port}/hangout`, pgUrl: pg.url }
}
