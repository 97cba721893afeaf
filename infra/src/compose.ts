/**
 * Writes the container cluster for N gateway replicas: docker-compose.scale.yml and the nginx
 * config it mounts (rendered from the one template).
 *
 *   node --import tsx infra/src/compose.ts 5     # then: docker compose -f docker-compose.scale.yml up --build
 *   node --import tsx infra/src/compose.ts 5 --redis-cluster 3   # Redis as a cluster: 3 masters, 1 replica each
 *
 * nginx's consistent hash hashes each `server` line's literal text, so every address behind one
 * name gets the same points: an anonymous `--scale gateway=5` behind `server gateway:3000` would
 * spread one room's requests over all replicas. So each replica is a service of its own
 * (gateway-1, gateway-2, ...) on its own server line, with `resolve` so nginx follows a replica
 * whose container address changes. The API is stateless: 2 replicas behind one name is fine.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'
import { COMPOSE_PROMETHEUS_CONF, composePrometheusYaml, observeServices } from './compose-observe.js'
import { type EdgeConfig, renderNginxConfig } from './nginx-config.js'
import { ROOT } from './paths.js'

export const COMPOSE_FILE = join(ROOT, 'docker-compose.scale.yml')
export const COMPOSE_NGINX_CONF = join(ROOT, 'infra/nginx/compose/nginx.conf')
/** The port the API and every gateway listen on inside their containers. */
export const CONTAINER_PORT = 3000
export const EDGE_PORT = 8080
const SUBNET = '172.28.0.0/16'
/**
 * The edge's fixed address on the bridge network: the only proxy the API believes. Not the
 * subnet: Docker's userland proxy connects published ports from the bridge's gateway address
 * (172.28.0.1), which would then be trusted to say any X-Forwarded-For.
 */
export const EDGE_ADDRESS = '172.28.0.10'
const REDIS_URL = 'redis://redis:6379'
const MONGO_URL = 'mongodb://mongo:27017/hangout'
/** A Compose interpolation, `${...}`, filled from the environment or .env when compose runs. */
const fromEnv = (expression: string) => `\${${expression}}`
const ORIGIN = fromEnv('HANGOUT_ORIGIN:-http://localhost:8080')
const keyFromEnv = (name: string) => fromEnv(`${name}:?set ${name} (PEM) in the environment or .env`)

export function gatewayName(index: number): string {
  return `gateway-${index}`
}

/** The edge's config in a container; `overrides` only for checking it with a local nginx. */
export function containerEdgeConfig(gateways: number, overrides: Partial<EdgeConfig> = {}): EdgeConfig {
  return {
    listen: String(EDGE_PORT),
    webRoot: '/usr/share/nginx/html',
    runDir: '/tmp',
    accessLog: '/dev/stdout',
    errorLog: 'stderr',
    apiServers: [`api:${CONTAINER_PORT}`],
    gatewayServers: Array.from({ length: gateways }, (_, i) => ({ upstream: `${gatewayName(i + 1)}:${CONTAINER_PORT}` })),
    resolver: '127.0.0.11',
    workerProcesses: 'auto',
    ...overrides,
  }
}

function httpHealthcheck(port: number) {
  return {
    test: [
      'CMD',
      'node',
      '-e',
      `fetch('http://127.0.0.1:${port}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
    ],
    interval: '5s',
    timeout: '3s',
    retries: 5,
    start_period: '20s',
  }
}

const healthy = { condition: 'service_healthy' }

export interface ComposeOptions {
  /** Redis as a Redis Cluster of this many masters (one replica each) instead of one redis service. */
  redisCluster?: number
}

export function composeDocument(gateways: number, options: ComposeOptions = {}): Record<string, unknown> {
  if (!Number.isInteger(gateways) || gateways < 1 || gateways > 64)
    throw new Error(`compose: gateways must be an integer from 1 to 64, not ${gateways}`)
  const redis = redisServices(options)
  const common = {
    HOST: '0.0.0.0',
    PORT: String(CONTAINER_PORT),
    ...redis.env,
    MONGO_URL,
  }
  const redisReady = redis.ready
  const gatewayServices = Object.fromEntries(
    Array.from({ length: gateways }, (_, i) => {
      const name = gatewayName(i + 1)
      return [
        name,
        {
          build: { context: '.', dockerfile: 'infra/Dockerfile', args: { SERVICE: 'gateway', ENTRY: 'src/main.ts' } },
          image: 'hangout-gateway',
          environment: {
            ...common,
            NODE_ID: name,
            // Exactly this node's server line in the nginx config: the ring's string for it.
            UPSTREAM: `${name}:${CONTAINER_PORT}`,
            ALLOWED_ORIGINS: ORIGIN,
            JWT_PUBLIC_KEY: keyFromEnv('JWT_PUBLIC_KEY'),
          },
          depends_on: { ...redisReady, mongo: healthy },
          healthcheck: httpHealthcheck(CONTAINER_PORT),
          restart: 'unless-stopped',
          stop_grace_period: '15s',
          networks: ['hangout'],
        },
      ]
    }),
  )
  return {
    services: {
      nginx: {
        build: { context: '.', dockerfile: 'web/Dockerfile' },
        image: 'hangout-edge',
        ports: [`${EDGE_PORT}:${EDGE_PORT}`],
        volumes: [`./${relative(ROOT, COMPOSE_NGINX_CONF)}:/etc/nginx/nginx.conf:ro`],
        depends_on: { api: healthy, ...Object.fromEntries(Object.keys(gatewayServices).map((name) => [name, healthy])) },
        healthcheck: {
          test: ['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${EDGE_PORT}/edge/healthz`],
          interval: '5s',
          timeout: '3s',
          retries: 5,
        },
        restart: 'unless-stopped',
        networks: { hangout: { ipv4_address: EDGE_ADDRESS } },
      },
      api: {
        build: { context: '.', dockerfile: 'infra/Dockerfile', args: { SERVICE: 'api', ENTRY: 'src/server.ts' } },
        image: 'hangout-api',
        deploy: { replicas: 2 },
        environment: {
          ...common,
          CORS_ORIGINS: ORIGIN,
          TRUST_PROXY: EDGE_ADDRESS,
          JWT_PRIVATE_KEY: keyFromEnv('JWT_PRIVATE_KEY'),
          JWT_PUBLIC_KEY: keyFromEnv('JWT_PUBLIC_KEY'),
        },
        depends_on: { ...redisReady, mongo: healthy },
        healthcheck: httpHealthcheck(CONTAINER_PORT),
        restart: 'unless-stopped',
        networks: ['hangout'],
      },
      ...gatewayServices,
      ...redis.services,
      mongo: {
        image: 'mongo:7.0',
        volumes: ['mongo-data:/data/db'],
        healthcheck: {
          test: ['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"],
          interval: '5s',
          timeout: '5s',
          retries: 10,
          start_period: '20s',
        },
        restart: 'unless-stopped',
        networks: ['hangout'],
      },
      ...observeServices(redis.urls),
    },
    networks: { hangout: { driver: 'bridge', ipam: { config: [{ subnet: SUBNET }] } } },
    volumes: { 'mongo-data': {}, ...redis.volumes, 'prometheus-data': {} },
  }
}

interface RedisServices {
  env: Record<string, string>
  /** Every Redis node as redis://host:port, for the exporter. */
  urls: string[]
  /** What the API and the gateways wait for. */
  ready: Record<string, { condition: string }>
  services: Record<string, unknown>
  volumes: Record<string, object>
}

function redisServices(options: ComposeOptions): RedisServices {
  return options.redisCluster === undefined ? singleRedis() : redisClusterServices(options.redisCluster)
}

/** Every Redis node of the compose file as redis://host:port: what the Prometheus config has the exporter scrape. */
export function composeRedisUrls(options: ComposeOptions = {}): string[] {
  return redisServices(options).urls
}

const redisHealthcheck = () => ({ test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '3s', retries: 5 })

function singleRedis(): RedisServices {
  return {
    env: { REDIS_URL },
    urls: [REDIS_URL],
    ready: { redis: healthy },
    services: {
      redis: {
        image: 'redis:7.4-alpine',
        command: ['redis-server', '--appendonly', 'yes'],
        volumes: ['redis-data:/data'],
        healthcheck: redisHealthcheck(),
        restart: 'unless-stopped',
        networks: ['hangout'],
      },
    },
    volumes: { 'redis-data': {} },
  }
}

/** The cluster's nodes have fixed addresses on the bridge network: what they announce and what redis-cli joins. */
export function redisNodeAddress(index: number): string {
  return `172.28.1.${index}`
}

/**
 * `masters` × 2 cluster-enabled nodes (redis-1 ... redis-2M, each with its volume for data and
 * nodes.conf), and `redis-cluster-init`, run once: `redis-cli --cluster create ... --cluster-replicas 1`
 * (or nothing when the nodes already form a cluster, as after a restart).
 */
function redisClusterServices(masters: number): RedisServices {
  if (!Number.isInteger(masters) || masters < 3 || masters > 10)
    throw new Error(`compose: redis cluster masters must be an integer from 3 to 10, not ${masters}`)
  const indexes = Array.from({ length: masters * 2 }, (_, i) => i + 1)
  const seeds = indexes.map((i) => `${redisNodeAddress(i)}:6379`)
  const nodes = Object.fromEntries(
    indexes.map((i) => [
      `redis-${i}`,
      {
        image: 'redis:7.4-alpine',
        command: [
          'redis-server',
          '--appendonly',
          'yes',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
          '--cluster-require-full-coverage',
          'no',
          '--cluster-announce-ip',
          redisNodeAddress(i),
        ],
        volumes: [`redis-${i}-data:/data`],
        healthcheck: redisHealthcheck(),
        restart: 'unless-stopped',
        networks: { hangout: { ipv4_address: redisNodeAddress(i) } },
      },
    ]),
  )
  const create = `redis-cli -h ${redisNodeAddress(1)} cluster info | grep -q cluster_state:ok || redis-cli --cluster create ${seeds.join(' ')} --cluster-replicas 1 --cluster-yes`
  return {
    env: { REDIS_CLUSTER_NODES: seeds.join(',') },
    urls: seeds.map((seed) => `redis://${seed}`),
    ready: { 'redis-cluster-init': { condition: 'service_completed_successfully' } },
    services: {
      ...nodes,
      'redis-cluster-init': {
        image: 'redis:7.4-alpine',
        entrypoint: ['sh', '-c', create],
        depends_on: Object.fromEntries(indexes.map((i) => [`redis-${i}`, healthy])),
        restart: 'no',
        networks: ['hangout'],
      },
    },
    volumes: Object.fromEntries(indexes.map((i) => [`redis-${i}-data`, {}])),
  }
}

export function composeYaml(gateways: number, options: ComposeOptions = {}): string {
  const flag = options.redisCluster === undefined ? '' : ` --redis-cluster ${options.redisCluster}`
  const header = [
    `# Generated by \`node --import tsx infra/src/compose.ts ${gateways}${flag}\`: ${gateways} named gateway replicas and the`,
    '# matching nginx upstream (infra/nginx/compose/nginx.conf). Regenerate instead of editing.',
    '# Keys: JWT_PRIVATE_KEY and JWT_PUBLIC_KEY (PEM, "\\n" for newlines) in the environment or .env.',
    '',
  ].join('\n')
  return header + stringify(composeDocument(gateways, options), { lineWidth: 0, aliasDuplicateObjects: false })
}

export function writeCompose(gateways: number, options: ComposeOptions = {}): { composeFile: string; nginxConf: string } {
  mkdirSync(dirname(COMPOSE_PROMETHEUS_CONF), { recursive: true })
  const names = Array.from({ length: gateways }, (_, i) => gatewayName(i + 1))
  writeFileSync(COMPOSE_PROMETHEUS_CONF, composePrometheusYaml(names, CONTAINER_PORT, composeRedisUrls(options)))
  const nginxConf = renderNginxConfig(containerEdgeConfig(gateways))
  mkdirSync(dirname(COMPOSE_NGINX_CONF), { recursive: true })
  writeFileSync(COMPOSE_NGINX_CONF, `# Generated by infra/src/compose.ts from infra/nginx/nginx.conf.template.\n${nginxConf}`)
  writeFileSync(COMPOSE_FILE, composeYaml(gateways, options))
  return { composeFile: COMPOSE_FILE, nginxConf: COMPOSE_NGINX_CONF }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const gateways = Number(process.argv[2] ?? 3)
  const flag = process.argv.indexOf('--redis-cluster')
  const options: ComposeOptions = flag > 0 ? { redisCluster: Number(process.argv[flag + 1]) } : {}
  try {
    const written = writeCompose(gateways, options)
    console.log(
      `wrote ${relative(ROOT, written.composeFile)} and ${relative(ROOT, written.nginxConf)} for ${gateways} gateway replica(s)`,
    )
  } catch (err) {
    console.error((err as Error).message)
    process.exit(1)
  }
}
