import type { IncomingMessage } from 'node:http'
import { requestId } from '@hangout/runtime'
import { startTestApi } from './helpers.js'

const withHeader = (value?: string) => ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

test('the edge’s request id is kept; a missing, malformed or oversized one is replaced by a fresh UUID', () => {
  expect(requestId(withHeader('0123456789abcdef0123456789abcdef'))).toBe('0123456789abcdef0123456789abcdef')
  for (const bad of [undefined, '', 'has space in it', '{"json":1}', 'x'.repeat(65), 'short', 'line\nbreak-injected-id']) {
    expect(requestId(withHeader(bad))).toMatch(UUID)
  }
})

test('every answer carries its request id, the caller’s edge id when valid', async () => {
  const api = await startTestApi()
  try {
    const kept = await fetch(`${api.url}/auth/profile`, { headers: { 'x-request-id': 'abcdef0123456789abcdef0123456789' } })
    expect(kept.headers.get('x-request-id')).toBe('abcdef0123456789abcdef0123456789')
    const fresh = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'not valid!' } })
    expect(fresh.headers.get('x-request-id')).toMatch(UUID)
  } finally {
    await api.close()
  }
})
