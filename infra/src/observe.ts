/**
 * `./hangout up --observe`: Prometheus (Debian's `prometheus`) beside the local cluster, scraping
 * the API, every gateway (a file_sd targets file rewritten whenever the node set changes, so it
 * follows `./hangout scale`), every Redis (one, or each node of a Redis Cluster) through one
 * Debian redis_exporter in its multi-target mode (`/scrape?target=`), and the edge's stub_status
 * through Debian's nginx exporter, with infra/prometheus/rules.yml loaded. Its UI on its own port.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { ROOT } from './paths.js'
import { freePort, ManagedProcess, portOpen, waitFor, waitForPort } from './process.js'

export const RULES_FILE = join(ROOT, 'infra/prometheus/rules.yml')
/** The edge's stub_status page (nginx template), answered to loopback only. */
export const STUB_STATUS_PATH = '/edge/stub_status'
const SCRAPE_INTERVAL = '5s'

export interface ObserveOptions {
  /** Prometheus' UI and API (default 9090). */
  port: number
  /** Config, targets file and TSDB. */
  dir: string
  logDir: string
  apiUrl: string
  edgeUrl: string
  /** Every Redis to watch as redis://host:port: the one Redis, or each node of the Redis Cluster. */
  redisUrls: string[]
  gatewayUrls: () => string[]
}

export interface Observability {
  url: string
  /** Rewrites the gateways' targets file from the current node list (Prometheus rereads it). */
  updateGateways(): void
  stop(): Promise<void>
}

const hostPort = (url: string) => new URL(url).host

export interface ScrapeTargets {
  /** host:port of each API replica, or a DNS name that resolves to every replica (compose). */
  api: string[] | { dns: string; port: number }
  /** A file_sd targets file (follows scaling) or a fixed list of host:port. */
  gateways: { file: string } | string[]
  /** host:port of the nginx exporter, when it runs. */
  edgeExporter?: string
  /** The redis exporter (host:port) and the Redis URLs it scrapes, one target each. */
  redis?: { exporter: string; targets: string[] }
  rulesFile: string
}

/** prometheus.yml: one job per kind of target, the rules file, 5 s scrapes and evaluations. */
export function prometheusConfig(targets: ScrapeTargets) {
  const fixed = (job: string, hosts: string[]) => ({ job_name: job, static_configs: [{ targets: hosts }] })
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL, scrape_timeout: '4s' },
    rule_files: [targets.rulesFile],
    scrape_configs: [
      Array.isArray(targets.api)
        ? fixed('hangout-api', targets.api)
        : { job_name: 'hangout-api', dns_sd_configs: [{ names: [targets.api.dns], type: 'A', port: targets.api.port }] },
      Array.isArray(targets.gateways)
        ? fixed('hangout-gateway', targets.gateways)
        : {
            job_name: 'hangout-gateway',
            file_sd_configs: [{ files: [targets.gateways.file], refresh_interval: SCRAPE_INTERVAL }],
          },
      ...(targets.edgeExporter ? [fixed('hangout-edge', [targets.edgeExporter])] : []),
      ...(targets.redis ? [redisJob(targets.redis.exporter, targets.redis.targets)] : []),
    ],
  }
}

/**
 * redis_exporter's multi-target pattern: each Redis is a target of its own (`instance` is its URL,
 * so a down node of a cluster shows as its own `redis_up == 0`), scraped through one exporter.
 */
function redisJob(exporter: string, redisUrls: string[]) {
  return {
    job_name: 'hangout-redis',
    metrics_path: '/scrape',
    static_configs: [{ targets: redisUrls }],
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { target_label: '__address__', replacement: exporter },
    ],
  }
}

export async function startObservability(options: ObserveOptions): Promise<Observability> {
  if (await portOpen(options.port)) {
    throw new Error(`port ${options.port} is taken (a Prometheus of the system?): set HANGOUT_PROMETHEUS_PORT to another one`)
  }
  mkdirSync(options.dir, { recursive: true })
  const gatewaysFile = join(options.dir, 'gateways.json')
  const updateGateways = () => {
    // Written beside and renamed: Prometheus never reads half a file.
    const next = `${gatewaysFile}.next`
    writeFileSync(next, JSON.stringify([{ targets: options.gatewayUrls().map(hostPort) }], null, 2))
    renameSync(next, gatewaysFile)
  }
  updateGateways()

  const started: ManagedProcess[] = []
  const stop = async () => {
    for (const proc of started.splice(0).reverse()) await proc.stop()
  }
  try {
    const [edgePort, redisPort] = [await freePort(), await freePort()]
    const exporter = async (name: string, command: string, args: string[], port: number) => {
      const proc = new ManagedProcess({ name, command, args, logFile: join(options.logDir, `${name}.log`) })
      started.push(proc)
      await waitForPort(port, proc)
    }
    await exporter(
      'nginx-exporter',
      'prometheus-nginx-exporter',
      [`-nginx.scrape-uri=${options.edgeUrl}${STUB_STATUS_PATH}`, `-web.listen-address=127.0.0.1:${edgePort}`],
      edgePort,
    )
    await exporter(
      'redis-exporter',
      'prometheus-redis-exporter',
      // Its own /metrics scrapes -redis.addr; the job asks /scrape?target= of every Redis instead.
      [`-redis.addr=${options.redisUrls[0] ?? ''}`, `-web.listen-address=127.0.0.1:${redisPort}`],
      redisPort,
    )

    const configFile = join(options.dir, 'prometheus.yml')
    const config = prometheusConfig({
      api: [hostPort(options.apiUrl)],
      gateways: { file: gatewaysFile },
      edgeExporter: `127.0.0.1:${edgePort}`,
      redis: { exporter: `127.0.0.1:${redisPort}`, targets: options.redisUrls },
      rulesFile: RULES_FILE,
    })
    writeFileSync(configFile, stringify(config))
    const dataDir = join(options.dir, 'data')
    const prometheus = new ManagedProcess({
      name: 'prometheus',
      command: 'prometheus',
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${options.port}`,
        '--storage.tsdb.retention.time=1d',
      ],
      logFile: join(options.logDir, 'prometheus.log'),
    })
    started.push(prometheus)
    const url = `http://127.0.0.1:${options.port}`
    await waitForPort(options.port, prometheus, 30_000)
    await waitFor('prometheus to be ready', async () => (await fetch(`${url}/-/ready`)).ok, 30_000, 250)
    return { url, updateGateways, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
