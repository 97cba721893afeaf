import { createLogger, exitOnStartFailure, onShutdown } from '@hangout/runtime'
import { buildGateway } from './app.js'
import { closeClients, connectClients } from './clients.js'
import { loadConfig } from './config.js'

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const log = createLogger(config.logLevel, 'gateway').child({ node: config.nodeId })
  const clients = await connectClients(config, log)
  const gateway = await buildGateway(config, clients, log)
  // Liveness first: it removes presence an earlier run of this node id left behind, which must not
  // take with it the joins of sockets that arrive as soon as the port is open.
  await gateway.start()

  onShutdown(log, config.graceMs + 5000, async ({ signal }) => {
    if (signal) await gateway.drain()
    await gateway.close()
    await closeClients(clients)
  })

  await gateway.app.listen({ port: config.port, host: config.host })
  log.info({ port: config.port, adapter: config.adapter }, 'listening')
}

main().catch(exitOnStartFailure('gateway'))
