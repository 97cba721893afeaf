// Makes sure Redis and the MongoDB-wire server answer before any suite runs; starts them if not.
// Plain ESM, loading the TypeScript through tsx: jest's transform does not reach global setup files.
import { tsImport } from 'tsx/esm/api'

export default async function globalSetup() {
  const { ensureServices } = await tsImport('../src/services.ts', import.meta.url)
  const { DATA_DIR } = await tsImport('../src/paths.ts', import.meta.url)
  const services = await ensureServices(process.env, `${DATA_DIR}/test-logs`)
  process.env.REDIS_URL = services.redisUrl
  process.env.MONGO_URL = services.mongoUrl
  globalThis.__hangoutServices = services.started
}
