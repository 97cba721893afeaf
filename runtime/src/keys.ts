import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR } from './data-dir.js'

/** Where the development Ed25519 key pair lives when no keys are configured. */
export const DEV_KEY_DIR = join(DATA_DIR, 'keys')
export const DEV_PRIVATE_KEY_FILE = join(DEV_KEY_DIR, 'jwt-ed25519.key.pem')
export const DEV_PUBLIC_KEY_FILE = join(DEV_KEY_DIR, 'jwt-ed25519.pub.pem')

/**
 * Creates the development key pair once. Safe when several processes race: each writes to a
 * temporary file and renames it into place, and the private key is written last.
 */
export function ensureDevKeyPair(): { privateKeyFile: string; publicKeyFile: string } {
  if (!existsSync(DEV_PRIVATE_KEY_FILE) || !existsSync(DEV_PUBLIC_KEY_FILE)) {
    // Only the key folder is private: a recursive mkdir would make .data itself 0700 too, and the
    // edge's nginx workers could then no longer read the web build that lives under it.
    mkdirSync(DATA_DIR, { recursive: true })
    mkdirSync(DEV_KEY_DIR, { recursive: true, mode: 0o700 })
    const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    const suffix = `.${process.pid}.tmp`
    writeFileSync(DEV_PUBLIC_KEY_FILE + suffix, publicKey, { mode: 0o644 })
    writeFileSync(DEV_PRIVATE_KEY_FILE + suffix, privateKey, { mode: 0o600 })
    renameSync(DEV_PUBLIC_KEY_FILE + suffix, DEV_PUBLIC_KEY_FILE)
    renameSync(DEV_PRIVATE_KEY_FILE + suffix, DEV_PRIVATE_KEY_FILE)
  }
  return { privateKeyFile: DEV_PRIVATE_KEY_FILE, publicKeyFile: DEV_PUBLIC_KEY_FILE }
}

/**
 * A PEM key from the environment: the PEM text in `<name>`, or a file named by `<name>_FILE`,
 * else `fallbackFile`. Returns undefined when none is there.
 */
export function readKey(env: NodeJS.ProcessEnv, name: string, fallbackFile?: string): string | undefined {
  const inline = env[name]
  if (inline) return inline.replaceAll('\\n', '\n')
  const file = env[`${name}_FILE`] ?? fallbackFile
  if (file && existsSync(file)) return readFileSync(file, 'utf8')
  return undefined
}
