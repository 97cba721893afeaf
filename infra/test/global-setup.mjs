// Starts the Redis and MongoDB-wire server of this test run before any suite runs (see
// infra/src/test-services.ts): the suites and their clusters read REDIS_URL and MONGO_URL.
// Plain ESM, loading the TypeScript through tsx: jest's transform does not reach global setup files.
import { tsImport } from 'tsx/esm/api'

export default async function globalSetup() {
  const { startTestServices } = await tsImport('../src/test-services.ts', import.meta.url)
  const { DATA_DIR } = await tsImport('../src/paths.ts', import.meta.url)
  const services = await startTestServices(process.env, `${DATA_DIR}/test-logs`)
  process.env.REDIS_URL = services.redisUrl
  process.env.MONGO_URL = services.mongoUrl
  globalThis.__hangoutServices = services
}
