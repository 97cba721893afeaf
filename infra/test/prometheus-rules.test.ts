import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { COMPOSE_PROMETHEUS_CONF } from '../src/compose-observe.js'
import { prometheusConfig } from '../src/observe.js'
import { ROOT } from '../src/paths.js'

const DIR = join(ROOT, 'infra/prometheus')
const RULES = join(DIR, 'rules.yml')
const TESTS = join(DIR, 'rules.test.yml')

interface Rule {
  alert?: string
  record?: string
  expr: string
  annotations?: Record<string, string>
}
const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups
const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert)

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' })
  if (run.error) throw new Error(`promtool cannot run (${run.error.message}): the bootstrap installs Debian's prometheus`)
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

test('promtool check rules accepts the rules file', () => {
  const { status, output } = promtool('check', 'rules', RULES)
  expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') })
})

test('promtool test rules passes every case of rules.test.yml', () => {
  const { status, output } = promtool('test', 'rules', TESTS)
  expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') })
})

test('every alert has a case that fires it in rules.test.yml, a summary and a runbook section', () => {
  const cases = (
    parse(readFileSync(TESTS, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }
  ).tests
  const fired = new Set(cases.flatMap((c) => c.alert_rule_test ?? []).flatMap((t) => (t.exp_alerts.length ? [t.alertname] : [])))
  const runbook = readFileSync(join(DIR, 'RUNBOOK.md'), 'utf8')
  expect(alerts.length).toBeGreaterThanOrEqual(6)
  for (const rule of alerts) {
    const name = rule.alert ?? ''
    expect({ name, fired: fired.has(name) }).toEqual({ name, fired: true })
    expect(rule.annotations?.summary).toBeTruthy()
    expect(rule.annotations?.runbook_url).toBe(`infra/prometheus/RUNBOOK.md#${name.toLowerCase()}`)
    expect(runbook).toContain(`\n## ${name}\n`)
  }
})

test('promtool check config accepts the local cluster’s Prometheus config and the compose file’s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hangout-promconfig-'))
  const gateways = join(dir, 'gateways.json')
  writeFileSync(gateways, JSON.stringify([{ targets: ['127.0.0.1:3101'] }]))
  const local = join(dir, 'local.yml')
  writeFileSync(
    local,
    JSON.stringify(
      prometheusConfig({
        api: ['127.0.0.1:3000'],
        gateways: { file: gateways },
        edgeExporter: '127.0.0.1:9113',
        redis: { exporter: '127.0.0.1:9121', targets: ['redis://127.0.0.1:7001', 'redis://127.0.0.1:7002'] },
        rulesFile: RULES,
      }),
    ),
  )
  // The compose one names the rules where its container mounts them: point it at the repository's.
  const compose = join(dir, 'compose.yml')
  writeFileSync(compose, readFileSync(COMPOSE_PROMETHEUS_CONF, 'utf8').replace('/etc/prometheus/rules.yml', RULES))
  for (const file of [local, compose]) {
    const { status, output } = promtool('check', 'config', file)
    expect({ file, status, output }).toEqual({ file, status: 0, output: expect.stringContaining('SUCCESS') })
  }
})
