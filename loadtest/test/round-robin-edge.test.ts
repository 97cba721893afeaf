import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type EdgeConfig, renderNginxConfig } from '@hangout/infra/nginx-config'
import { testNginxConfig } from '@hangout/infra/nginx'

describe('the edge rendered for the round-robin benchmark arm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hangout-rr-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const base: EdgeConfig = {
    listen: '127.0.0.1:18080',
    webRoot: dir,
    runDir: dir,
    accessLog: join(dir, 'access.log'),
    errorLog: join(dir, 'error.log'),
    apiServers: ['127.0.0.1:13000'],
    gatewayServers: [{ upstream: '127.0.0.1:13101' }, { upstream: '127.0.0.1:13102' }],
  }
  const upstreamBlock = (conf: string) => /upstream hangout_gateways \{[^}]*\}/.exec(conf)?.[0] ?? ''

  it('has no room hash in the gateway upstream, and nginx accepts it', async () => {
    const conf = renderNginxConfig({ ...base, gatewayBalance: 'round-robin' })
    expect(upstreamBlock(conf)).toContain('server 127.0.0.1:13102')
    expect(upstreamBlock(conf)).not.toMatch(/^\s*hash /m)
    writeFileSync(join(dir, 'rr.conf'), conf)
    await testNginxConfig(join(dir, 'rr.conf'), dir)
  })

  it('keeps the consistent room hash by default, and refuses an unknown balance', () => {
    expect(upstreamBlock(renderNginxConfig(base))).toMatch(/^\s*hash \$arg_room consistent;$/m)
    expect(() => renderNginxConfig({ ...base, gatewayBalance: 'random' as 'round-robin' })).toThrow('gatewayBalance')
  })
})
