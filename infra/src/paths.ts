import { DATA_DIR, ROOT_DIR } from '@hangout/runtime'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** The repository's root folder. */
export const ROOT = ROOT_DIR
export { DATA_DIR }
/** Where the bootstrap puts the programs it builds (kept across clones). */
export const TOOLS_DIR = process.env.HANGOUT_TOOLS ?? join(homedir(), '.cache/hangout/bin')
export const FERRETDB_BIN = join(TOOLS_DIR, 'hangout-ferretdb')
/** Runs a TypeScript entry point of the workspace with tsx. */
export const TSX_IMPORT = ['--import', 'tsx']
