/** The real API and gateway processes, started and awaited healthy as the supervisor starts them. */
export { startApi, startGateway, startService } from '@hangout/infra/start-service'
