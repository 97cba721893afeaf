import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './paths.js'

export const NGINX_TEMPLATE_FILE = join(ROOT, 'infra/nginx/nginx.conf.template')

export interface GatewayServer {
  /** The address as nginx's `server` line writes it; the ring hashes exactly this text. */
  upstream: string
}

export interface EdgeConfig {
  /** `listen` argument: "127.0.0.1:8080" locally, "8080" in a container. */
  listen: string
  /** The built web app (web/dist). */
  webRoot: string
  /** pid file and temp dirs go here. */
  runDir: string
  /** A file, or /dev/stdout in a container. */
  accessLog: string
  /** A file, or `stderr` (nginx's own word for it) in a container. */
  errorLog: string
  apiServers: string[]
  gatewayServers: GatewayServer[]
  /**
   * Containers: a DNS server (Docker's is 127.0.0.11). Every server line then gets `resolve` and
   * each upstream a shared-memory zone, so nginx (>= 1.27.3) follows a replica whose address moves.
   */
  resolver?: string
  mimeTypes?: string
  workerProcesses?: number | 'auto'
  /**
   * How sockets are placed on the gateways: 'room-hash' (default, what Hangout runs) or
   * 'round-robin' (benchmarks only: a room's sockets scattered over the nodes; websocket-only
   * clients, since long-polling requests would not stick to one node).
   */
  gatewayBalance?: 'room-hash' | 'round-robin'
  /** Shown by GET /edge/healthz, so a reload can be seen to have taken effect. */
  generation?: string
  /** Per client address limits; each left out takes its EDGE_LIMITS default. */
  limits?: Partial<EdgeLimits>
}

export interface EdgeLimits {
  /** /api/ requests a second, and the burst answered at once beyond it (then 429). */
  apiRate: number
  apiBurst: number
  /** /socket.io/ requests a second (a websocket is one; long-polling makes one per poll) and burst. */
  socketRate: number
  socketBurst: number
  /** /socket.io/ connections open at once. */
  socketConns: number
}

/**
 * Generous for one person (who holds at most 20 sockets, and whose logins the API limits), and
 * sized so this project's suites and benches still pass, though all of their thousands of
 * sockets come from 127.0.0.1 (a reconnect storm of 2,000 sockets at once fits the burst).
 */
export const EDGE_LIMITS: EdgeLimits = { apiRate: 100, apiBurst: 1000, socketRate: 200, socketBurst: 2500, socketConns: 5000 }

const SERVER_ADDRESS = /^(unix:\/[^\s;{}]+|\[[0-9a-fA-F:.]+\]:\d{1,5}|[A-Za-z0-9.-]+:\d{1,5})$/
const PATH = /^\/[^\s;{}'"]*$/

/** Renders infra/nginx/nginx.conf.template; throws on an address or path nginx would misread. */
export function renderNginxConfig(config: EdgeConfig, template = readFileSync(NGINX_TEMPLATE_FILE, 'utf8')): string {
  for (const [what, path] of [
    ['webRoot', config.webRoot],
    ['runDir', config.runDir],
    ['accessLog', config.accessLog],
    ['errorLog', config.errorLog],
  ] as const) {
    if (what === 'errorLog' && path === 'stderr') continue
    if (!PATH.test(path)) throw new Error(`nginx config: ${what} must be an absolute path without spaces or quotes: ${path}`)
  }
  if (!/^([0-9.]+:|\[[0-9a-fA-F:]+\]:)?\d{1,5}$/.test(config.listen))
    throw new Error(`nginx config: bad listen address ${config.listen}`)
  if (config.apiServers.length === 0) throw new Error('nginx config: at least one API server is needed')
  if (config.gatewayServers.length === 0) throw new Error('nginx config: at least one gateway server is needed')
  const addresses = [...config.apiServers, ...config.gatewayServers.map((g) => g.upstream)]
  for (const address of addresses) {
    if (!SERVER_ADDRESS.test(address)) throw new Error(`nginx config: bad server address ${JSON.stringify(address)}`)
  }
  const upstreams = config.gatewayServers.map((g) => g.upstream)
  if (new Set(upstreams).size !== upstreams.length) throw new Error('nginx config: a gateway server is listed twice')
  if (config.gatewayBalance !== undefined && !['room-hash', 'round-robin'].includes(config.gatewayBalance))
    throw new Error(`nginx config: gatewayBalance must be room-hash or round-robin, not ${config.gatewayBalance}`)
  if (config.resolver !== undefined && !/^[0-9.]+(:\d+)?$/.test(config.resolver)) {
    throw new Error(`nginx config: bad resolver address ${config.resolver}`)
  }
  const resolve = config.resolver ? ' resolve' : ''
  const limits = { ...EDGE_LIMITS, ...config.limits }
  for (const [name, value] of Object.entries(limits))
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`nginx config: limits.${name} must be a positive integer, not ${value}`)

  const values: Record<string, string> = {
    listen: config.listen,
    web_root: config.webRoot,
    run_dir: config.runDir,
    access_log: config.accessLog,
    error_log: config.errorLog,
    mime_types: config.mimeTypes ?? '/etc/nginx/mime.types',
    generation: (config.generation ?? '0').replace(/[^\w.-]/g, ''),
    worker_processes: String(config.workerProcesses ?? 1),
    resolver: config.resolver ? `    resolver ${config.resolver} valid=10s ipv6=off;\n` : '',
    api_zone: config.resolver ? '        zone hangout_api 64k;' : '',
    api_servers: config.apiServers.map((s) => `        server ${s} max_fails=1 fail_timeout=5s${resolve};`).join('\n'),
    gateway_balance:
      config.gatewayBalance === 'round-robin'
        ? '        # round-robin: no hash, so the sockets of a room are scattered (benchmarks only)'
        : '        hash $arg_room consistent;',
    gateway_zone: config.resolver ? '        zone hangout_gateways 256k;' : '',
    api_rate: String(limits.apiRate),
    api_burst: String(limits.apiBurst),
    socket_rate: String(limits.socketRate),
    socket_burst: String(limits.socketBurst),
    socket_conns: String(limits.socketConns),
    gateway_servers: config.gatewayServers.map((g) => `        server ${g.upstream} max_fails=0${resolve};`).join('\n'),
  }
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`nginx config: the template names {{${name}}}, which nothing fills`)
    return value
  })
  return rendered.replace(/\n{3,}/g, '\n\n')
}
