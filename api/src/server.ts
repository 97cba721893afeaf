import { exitOnStartFailure, onShutdown } from '@hangout/runtime'
import { buildApp } from './app.js'
import { closeClients, connectClients } from './clients.js'
import { loadConfig } from './config.js'

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const clients = await connectClients(config)
  const app = await buildApp(config, clients)
  clients.redis.on('error', (err) => app.log.warn({ reason: err.message }, 'redis connection error'))

  onShutdown(app.log, 10000, async () => {
    await app.close()
    await closeClients(clients)
  })

  await app.listen({ port: config.port, host: config.host })
}

main().catch(exitOnStartFailure('api'))
