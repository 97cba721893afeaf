import type { Revocations } from './revocations.js'
import type { Stores } from '@hangout/store'

/**
 * Deletes an account: its tokens are revoked first (so no gateway lets them in again, and open
 * sockets are closed), then the user document goes. Answers whether there was such a user.
 */
export async function deleteAccount(stores: Stores, revocations: Revocations, userId: string): Promise<boolean> {
  await revocations.revokeUser(userId)
  return stores.users.delete(userId)
}
