import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's (or the image's) root folder. */
export const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** Git-ignored state: databases, generated keys, logs, pid files. */
export const DATA_DIR = process.env.HANGOUT_DATA_DIR ?? join(ROOT_DIR, '.data')
