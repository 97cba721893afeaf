import { ConfigError } from '@hangout/infra/config'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { closeClients, connectClients } from './clients.js'
import { loadConfig } from './config.js'

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const clients = await connectClients(config)
  const app = await buildApp(config, clients)
  clients.redis.on('error', (err) => app.log.warn({ reason: err.message }, 'redis connection error'))

  closeWithGrace({ delay: 10000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
    await closeClients(clients)
  })

  await app.listen({ port: config.PORT, host: config.HOST })
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message)
  else console.error('api: cannot start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
