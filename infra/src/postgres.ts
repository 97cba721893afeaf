/**
 * The PostgreSQL that FerretDB's PostgreSQL backend (the local default store) runs on. PG_URL when
 * set: used when it answers, else a cluster of our own is run on its port. Unset: the machine's
 * PostgreSQL at postgres://postgres@127.0.0.1:5432 when it lets us in, else a cluster of our own on
 * HANGOUT_PG_PORT (default 5433, so that a server on 5432 that wants a password is left alone).
 * Our own cluster lives in HANGOUT_PG_DIR (default .data/postgres), initialised on first use, and
 * runs as an unprivileged user when we are root (PostgreSQL refuses to run as root).
 */
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from './paths.js'
import { ManagedProcess, waitFor, waitForPort } from './process.js'

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/hangout'

/** Debian keeps the server programs out of PATH, under /usr/lib/postgresql/<version>/bin. */
export function postgresBin(program: 'initdb' | 'postgres' | 'psql'): string | undefined {
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => join('/usr/lib/postgresql', version, 'bin', program))
    : []
  const inPath = (process.env.PATH ?? '').split(':').map((dir) => join(dir, program))
  return [...inPath, ...debian].find((file) => existsSync(file))
}

export function psql(url: string, sql: string): string {
  const bin = postgresBin('psql')
  if (!bin) throw new Error('psql is not installed: run infra/bootstrap.sh')
  return execFileSync(bin, [url, '-Atc', sql], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

export function postgresAnswers(url: string): boolean {
  try {
    return psql(adminUrl(url), 'SELECT 1') === '1'
  } catch {
    return false
  }
}

function adminUrl(url: string): string {
  const admin = new URL(url)
  admin.pathname = '/postgres'
  return admin.toString()
}

/** Creates the URL's database when missing. */
export function ensureDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1)
  if (!/^\w+$/.test(name)) throw new Error(`PG_URL: the database name must be a plain word, not ${JSON.stringify(name)}`)
  if (psql(adminUrl(url), `SELECT 1 FROM pg_database WHERE datname = '${name}'`) !== '1')
    psql(adminUrl(url), `CREATE DATABASE ${name}`)
}

/** The user our own cluster runs as when we are root: Debian's `postgres` if there is one, else `nobody`. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim())
      return { uid, gid }
    } catch {}
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as')
}

/** The command line, dropped to `user` (setpriv execs in place, so signals reach the server itself). */
function asUser(user: { uid: number; gid: number } | undefined, command: string, args: string[]): [string, string[]] {
  if (!user) return [command, args]
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', command, ...args]]
}

export interface EnsuredPostgres {
  /** Of the database FerretDB uses. */
  url: string
  /** Our own server, when we started one; the caller stops it. */
  started?: ManagedProcess
}

export async function ensurePostgres(env: NodeJS.ProcessEnv = process.env, logFile?: string): Promise<EnsuredPostgres> {
  const candidates = env.PG_URL
    ? [env.PG_URL]
    : [DEFAULT_PG_URL, `postgres://postgres@127.0.0.1:${env.HANGOUT_PG_PORT ?? 5433}/hangout`]
  const answering = candidates.find(postgresAnswers)
  if (answering) {
    ensureDatabase(answering)
    return { url: answering }
  }
  const url = candidates[candidates.length - 1]!
  return { url, started: await startOwnPostgres(url, env.HANGOUT_PG_DIR ?? join(DATA_DIR, 'postgres'), logFile) }
}

/** A PostgreSQL of our own in `dir` on the URL's port (127.0.0.1 only, trust authentication: a dev cluster). */
export async function startOwnPostgres(url: string, dir: string, logFile?: string): Promise<ManagedProcess> {
  const parsed = new URL(url)
  const port = Number(parsed.port || 5432)
  const superuser = decodeURIComponent(parsed.username || 'postgres')
  const [initdb, postgres] = [postgresBin('initdb'), postgresBin('postgres')]
  if (!initdb || !postgres) throw new Error('no PostgreSQL answers on PG_URL and none is installed: run infra/bootstrap.sh')
  const user = runAs()
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (user) chownSync(dir, user.uid, user.gid)
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    const [command, args] = asUser(user, initdb, ['-D', dir, '-U', superuser, '--auth=trust', '-E', 'UTF8', '--no-instructions'])
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  }
  const [command, args] = asUser(user, postgres, [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
  ])
  const proc = new ManagedProcess({ name: `postgres:${port}`, command, args, logFile })
  await waitForPort(port, proc, 30000)
  await waitFor(`postgres on ${port}`, async () => postgresAnswers(url), 30000, 250)
  ensureDatabase(url)
  return proc
}
