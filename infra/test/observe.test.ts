import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parse, stringify } from 'yaml'
import { type Cluster, startCluster } from '../src/cluster.js'
import { composeDocument } from '../src/compose.js'
import { type Observability, startObservability } from '../src/observe.js'
import { ROOT } from '../src/paths.js'
import { freePort, waitFor } from '../src/process.js'
import { connect, createRoom, dropDatabase, join as joinRoom, register, testMongoUrl } from '@hangout/testkit/clients'

const DASHBOARD = join(ROOT, 'infra/grafana/dashboards/hangout.json')
const mongoUrl = testMongoUrl()
const dir = mkdtempSync(join(tmpdir(), 'hangout-observe-'))
let cluster: Cluster
let observability: Observability

interface Sample {
  metric: Record<string, string>
  value: [number, string]
}
async function query(expr: string): Promise<Sample[]> {
  const res = await fetch(`${observability.url}/api/v1/query?query=${encodeURIComponent(expr)}`)
  const body = (await res.json()) as { status: string; data: { result: Sample[] } }
  if (body.status !== 'success') throw new Error(`query ${expr}: ${JSON.stringify(body)}`)
  return body.data.result
}
const upTargets = async (job: string) => (await query(`up{job="${job}"} == 1`)).map((s) => s.metric.instance).sort()

beforeAll(async () => {
  cluster = await startCluster({
    gateways: 1,
    privateRedis: true,
    healthCheck: false,
    logDir: join(dir, 'logs'),
    env: { MONGO_URL: mongoUrl },
  })
  observability = await startObservability({
    port: await freePort(),
    dir,
    logDir: join(dir, 'logs'),
    apiUrl: cluster.apiUrl,
    edgeUrl: cluster.url,
    redisUrls: [cluster.env.REDIS_URL ?? ''],
    gatewayUrls: () => cluster.gateways.map((g) => g.url),
  })
}, 120_000)

afterAll(async () => {
  await observability?.stop()
  await cluster?.stop()
  await dropDatabase(mongoUrl)
})

test('Prometheus scrapes the API, the gateway, the edge (stub_status) and Redis, and has the cluster’s series', async () => {
  const host = (url: string) => new URL(url).host
  await waitFor('every job up', async () => (await query('up == 1')).length === 4, 60_000, 500)
  expect(await upTargets('hangout-api')).toEqual([host(cluster.apiUrl)])
  expect(await upTargets('hangout-gateway')).toEqual([host(cluster.gateway(1).url)])
  expect(await upTargets('hangout-edge')).toHaveLength(1)
  expect(await upTargets('hangout-redis')).toEqual([cluster.env.REDIS_URL])

  const user = await register(cluster.url)
  const roomId = await createRoom(cluster.url, user)
  const socket = connect(cluster.url, roomId, user)
  try {
    await joinRoom(socket, roomId)
    await waitFor(
      'the socket in hangout:connected_sockets:sum',
      async () => (await query('hangout:connected_sockets:sum == 1')).length === 1,
      30_000,
      500,
    )
    await waitFor(
      'Redis round trips recorded',
      async () => (await query('hangout_gateway_redis_rtt_seconds_count > 0')).length === 1,
      30_000,
      500,
    )
    expect(await query('hangout_gateway_redis_up == 1')).toHaveLength(1)
    expect((await query('redis_up == 1')).map((s) => s.metric.instance)).toEqual([cluster.env.REDIS_URL])
    expect(await query('nginx_connections_active > 0')).toHaveLength(1)
  } finally {
    socket.disconnect()
  }
})

test('a gateway added to the cluster becomes a target; killed, it is down and HangoutGatewayDown fires', async () => {
  const added = await cluster.addGateway()
  observability.updateGateways()
  const host = new URL(added.url).host
  await waitFor('the new gateway scraped', async () => (await upTargets('hangout-gateway')).includes(host), 60_000, 500)
  await cluster.killGateway(added.index)
  await waitFor('its up at 0', async () => (await query(`up{instance="${host}"} == 0`)).length === 1, 30_000, 500)
  // for: 10s, evaluated every 5 s.
  await waitFor(
    'HangoutGatewayDown firing',
    async () => (await query(`ALERTS{alertname="HangoutGatewayDown", alertstate="firing", instance="${host}"}`)).length === 1,
    60_000,
    1000,
  )
  expect(await query('ALERTS{alertname="HangoutGatewayDown", alertstate="firing"}')).toHaveLength(1)
}, 150_000)

test('one request id names a request in the edge’s JSON access log, the API’s JSON log and its answer', async () => {
  const res = await fetch(`${cluster.url}/api/auth/profile`, { headers: { 'x-request-id': 'forged id with spaces' } })
  expect(res.status).toBe(401)
  const id = res.headers.get('x-request-id') ?? ''
  // nginx's own $request_id: the client's header is not believed.
  expect(id).toMatch(/^[0-9a-f]{32}$/)
  const jsonLines = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  await waitFor('the edge to log it', async () =>
    jsonLines(join(dirname(cluster.edge.confFile), 'access.log')).some((l) => l.request_id === id),
  )
  expect(jsonLines(join(dirname(cluster.edge.confFile), 'access.log')).find((l) => l.request_id === id)).toMatchObject({
    uri: '/api/auth/profile',
    status: 401,
  })
  // Both of the request's lines: the answer can reach us before pino has written the second.
  await waitFor('the API to log it', async () => {
    const messages = jsonLines(join(dir, 'logs', 'api.log'))
      .filter((l) => l.reqId === id)
      .map((l) => l.msg)
    return messages.includes('incoming request') && messages.includes('request completed')
  })
  const apiLines = jsonLines(join(dir, 'logs', 'api.log')).filter((l) => l.reqId === id)
  expect(apiLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']))
})

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] }
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })))

  test('every expression parses (promtool check rules over a rules file wrapping them)', () => {
    expect(exprs.length).toBeGreaterThanOrEqual(10)
    const file = join(dir, 'dashboard-exprs.yml')
    const rules = exprs.map(({ expr }, i) => ({ record: `dashboard:expr_${i}`, expr }))
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }))
    const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' })
    expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    })
    // And it can fail.
    writeFileSync(file, stringify({ groups: [{ name: 'bad', rules: [{ record: 'dashboard:bad', expr: 'sum(rate(x[1m])' }] }] }))
    expect(spawnSync('promtool', ['check', 'rules', file]).status).not.toBe(0)
  })

  test('every metric an expression names is one a real service exports (or a recording rule over them)', async () => {
    const rules = (
      parse(readFileSync(join(ROOT, 'infra/prometheus/rules.yml'), 'utf8')) as {
        groups: { rules: { record?: string; expr: string }[] }[]
      }
    ).groups.flatMap((g) => g.rules)
    const recorded = new Map(rules.flatMap((r) => (r.record ? [[r.record, r.expr] as const] : [])))
    // The real /metrics of the API and a gateway, and what Prometheus scraped from the exporters.
    const scraped = new Set<string>(['up', 'ALERTS'])
    for (const url of [cluster.apiUrl, cluster.gateway(1).url]) {
      for (const line of (await (await fetch(`${url}/metrics`)).text()).split('\n')) {
        const name = /^# TYPE (\S+) (\w+)/.exec(line)
        if (!name?.[1]) continue
        scraped.add(name[1])
        if (name[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) scraped.add(`${name[1]}${suffix}`)
      }
    }
    const names = (await (await fetch(`${observability.url}/api/v1/label/__name__/values`)).json()) as { data: string[] }
    for (const name of names.data) if (/^(nginx|redis)_/.test(name)) scraped.add(name)

    const base = (expr: string): string[] =>
      metricNames(expr).flatMap((name) => {
        const inner = recorded.get(name)
        return inner ? base(inner) : [name]
      })
    for (const { title, expr } of exprs) {
      const names = base(expr)
      expect({ title, names: names.length > 0 }).toEqual({ title, names: true })
      for (const name of names) expect({ title, name, exported: scraped.has(name) }).toEqual({ title, name, exported: true })
    }
    // Every alert's metrics are exported too.
    for (const rule of rules)
      for (const name of base(rule.expr)) expect({ name, exported: scraped.has(name) }).toEqual({ name, exported: true })
  })

  test('the compose file’s Grafana loads these dashboards and Prometheus as its data source', () => {
    const grafana = (composeDocument(2) as { services: Record<string, { volumes?: string[] }> }).services.grafana
    const mounts = grafana?.volumes ?? []
    expect(mounts).toEqual(
      expect.arrayContaining([
        './infra/grafana/provisioning:/etc/grafana/provisioning:ro',
        './infra/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    )
    for (const mount of mounts) expect(existsSync(join(ROOT, mount.split(':')[0] ?? ''))).toBe(true)
    const source = parse(readFileSync(join(ROOT, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; url: string }[]
    }
    expect(source.datasources[0]?.url).toBe('http://prometheus:9090')
    const uids = new Set(JSON.stringify(JSON.parse(readFileSync(DASHBOARD, 'utf8'))).match(/"uid":"[^"]+"/g))
    expect(uids).toEqual(new Set(['"uid":"hangout-cluster"', `"uid":"${source.datasources[0]?.uid}"`]))
  })
})

const PROMQL_WORDS = new Set(
  'sum min max avg count stddev stdvar topk bottomk quantile group by without on ignoring group_left group_right and or unless bool offset rate irate increase delta idelta deriv changes resets histogram_quantile abs ceil floor round clamp clamp_min clamp_max label_replace label_join time vector scalar sort sort_desc absent absent_over_time avg_over_time max_over_time min_over_time sum_over_time count_over_time last_over_time'.split(
    ' ',
  ),
)

/** The metric names in a PromQL expression: identifiers outside label matchers, strings, ranges and grouping lists. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word))
}
