/**
 * Operators: deletes one account by its email, with the API's configuration (the same env).
 *
 *   node --import tsx api/src/delete-user.ts ann@example.com
 */
import { ConfigError } from '@hangout/runtime'
import { deleteAccount } from './accounts.js'
import { closeClients, connectClients } from './clients.js'
import { loadConfig } from './config.js'
import { Revocations } from './revocations.js'
import { createStores } from '@hangout/store'

async function main(email: string | undefined): Promise<number> {
  if (!email) {
    console.error('usage: node --import tsx api/src/delete-user.ts <email>')
    return 2
  }
  const config = loadConfig(process.env)
  const clients = await connectClients(config)
  try {
    const stores = createStores(clients.db)
    const user = await stores.users.findByEmail(email)
    if (!user) {
      console.error(`no user with the email ${email}`)
      return 1
    }
    await deleteAccount(stores, new Revocations(clients.redis, config.jwt.ttlSeconds * 1000), user._id)
    console.log(`deleted user ${user._id}; their tokens are revoked`)
    return 0
  } finally {
    await closeClients(clients)
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `delete-user: ${(err as Error).message}`)
    process.exit(1)
  },
)
