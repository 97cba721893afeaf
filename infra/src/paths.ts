import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root folder. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** Git-ignored state: databases, generated keys, logs, pid files. */
export const DATA_DIR = process.env.HANGOUT_DATA_DIR ?? join(ROOT, '.data')
/** Where the bootstrap puts the programs it builds (kept across clones). */
export const TOOLS_DIR = process.env.HANGOUT_TOOLS ?? join(homedir(), '.cache/hangout/bin')
export const FERRETDB_BIN = join(TOOLS_DIR, 'hangout-ferretdb')
/** Runs a TypeScript entry point of the workspace with tsx. */
export const TSX_IMPORT = ['--import', 'tsx']
