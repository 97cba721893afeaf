/**
 * Writes docs/asyncapi.json, the AsyncAPI 3 document of the realtime contract, from protocol/'s
 * schemas: `pnpm --filter @hangout/protocol asyncapi`. A test regenerates it and compares, so the
 * committed file cannot drift from the schemas.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { asyncApiDocument } from '../src/asyncapi.js'

export const ASYNCAPI_FILE = fileURLToPath(new URL('../../docs/asyncapi.json', import.meta.url))

export function renderAsyncApi(): string {
  return `${JSON.stringify(asyncApiDocument(), null, 2)}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ASYNCAPI_FILE, renderAsyncApi())
  console.log(`wrote ${ASYNCAPI_FILE}`)
}
