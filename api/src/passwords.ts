import argon2 from 'argon2'

/** OWASP's minimum argon2id configuration (m=19 MiB, t=2, p=1). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS)
}

let dummyHash: Promise<string> | undefined

/**
 * Checks a password against a stored hash; without a hash (unknown email) it still spends the time
 * of a real check, so the answer's timing does not tell which emails are registered.
 */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (hash) return argon2.verify(hash, password)
  dummyHash ??= argon2.hash('not-a-password-anyone-has', OPTIONS)
  await argon2.verify(await dummyHash, password)
  return false
}
