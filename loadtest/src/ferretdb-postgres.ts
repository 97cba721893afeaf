/**
 * A FerretDB of the bench's own with its PostgreSQL backend, on the local PostgreSQL
 * (PG_URL, default postgres://postgres@127.0.0.1:5432/hangout_bench; the database is created when
 * missing). Each MongoDB database becomes a schema in it, so dropping the bench's database cleans up.
 */
import { execFileSync } from 'node:child_process'
import { FERRETDB_BIN } from '@hangout/infra/paths'
import { freePort, ManagedProcess, waitFor, waitForPort } from '@hangout/infra/process'
import { mongoAnswers } from '@hangout/infra/services'

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/hangout_bench'

function ensureDatabase(pgUrl: string): void {
  const url = new URL(pgUrl)
  const name = url.pathname.slice(1)
  if (!/^\w+$/.test(name)) throw new Error(`PG_URL: the database name must be a plain word, not ${JSON.stringify(name)}`)
  const admin = new URL(pgUrl)
  admin.pathname = '/postgres'
  const psql = (sql: string) => execFileSync('psql', [admin.toString(), '-Atc', sql], { encoding: 'utf8' }).trim()
  if (psql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`) !== '1') psql(`CREATE DATABASE ${name}`)
}

/** Starts it; resolves with the process and its mongodb:// URL. */
export async function startFerretDbOnPostgres(
  logFile: string,
  pgUrl = process.env.PG_URL ?? DEFAULT_PG_URL,
): Promise<{ proc: ManagedProcess; mongoUrl: string }> {
  ensureDatabase(pgUrl)
  const port = await freePort()
  const proc = new ManagedProcess({
    name: `ferretdb-pg:${port}`,
    command: FERRETDB_BIN,
    args: ['--listen-addr', `127.0.0.1:${port}`, '--handler', 'postgresql', '--postgresql-url', pgUrl],
    logFile,
  })
  await waitForPort(port, proc)
  await waitFor(`ferretdb (postgresql) on ${port}`, () => mongoAnswers(`mongodb://127.0.0.1:${port}/`))
  return { proc, mongoUrl: `mongodb://127.0.0.1:${port}/hangout` }
}
