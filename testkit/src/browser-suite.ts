/**
 * One cluster and one Chromium for a whole browser test file: the web app built into a folder of
 * its own, served by a cluster with a private Redis and a MongoDB database of its own, all started
 * before the file's tests and stopped (the database dropped) after them.
 */
import { type Cluster, startCluster } from '@hangout/infra/cluster'
import type { Browser } from 'playwright-core'
import { buildWeb, launchChromium, openUserPage, type PageWatch } from './browser.js'
import { dropDatabase, testMongoUrl } from './clients.js'

/** infra/bootstrap.sh installs no browser when HANGOUT_SKIP_BROWSER=1: then, and only then, browser tests are skipped. */
export const SKIP_BROWSER = process.env.HANGOUT_SKIP_BROWSER === '1'
/** `describe` for browser tests: skipped when no Chromium is installed. */
export const describeBrowser = SKIP_BROWSER ? describe.skip : describe

type Viewport = { width: number; height: number }

export interface BrowserSuiteOptions {
  gateways: number
  /** The API's and the gateways' environment (RATE_LIMIT_MAX, CHAT_BURST, …); MONGO_URL is the suite's. */
  env?: NodeJS.ProcessEnv
}

export interface BrowserSuite {
  readonly cluster: Cluster
  readonly browser: Browser
  /** Every page opened through `page` and `signedIn`, for a last check of script errors and the CSP. */
  readonly watches: PageWatch[]
  /** This run's mark (in `email`): a name or address made with it is new on every run. */
  readonly stamp: string
  /** This run's email address for a person: the same name gives the same address. */
  email(name: string): string
  /** A page in a context of its own (a new user), in `watches`. */
  page(options?: Parameters<typeof openUserPage>[1]): Promise<PageWatch>
  /** A person registered through the API and signed in, in a context of their own, on /login; in `watches`. */
  signedIn(name: string, viewport?: Viewport): Promise<PageWatch>
}

export function browserSuite(options: BrowserSuiteOptions): BrowserSuite {
  if (SKIP_BROWSER) console.warn('web e2e: SKIPPED because HANGOUT_SKIP_BROWSER=1 (no Chromium installed)')
  const mongoUrl = testMongoUrl()
  const stamp = Date.now().toString(36)
  const watches: PageWatch[] = []
  let web: Awaited<ReturnType<typeof buildWeb>> | undefined
  let cluster: Cluster | undefined
  let browser: Browser | undefined

  beforeAll(async () => {
    if (SKIP_BROWSER) return
    web = await buildWeb()
    cluster = await startCluster({
      gateways: options.gateways,
      privateRedis: true,
      webRoot: web.dir,
      env: { ...options.env, MONGO_URL: mongoUrl },
    })
    browser = await launchChromium()
  }, 240_000)

  afterAll(async () => {
    if (SKIP_BROWSER) return
    await browser?.close()
    await cluster?.stop()
    web?.remove()
    await dropDatabase(mongoUrl)
  })

  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`browserSuite: no ${what} (its beforeAll has not run or failed)`)
    return value
  }
  const suite: BrowserSuite = {
    get cluster() {
      return started('cluster', cluster)
    },
    get browser() {
      return started('browser', browser)
    },
    watches,
    stamp,
    email: (name) => `${name.toLowerCase()}-${stamp}@example.com`,
    async page(pageOptions) {
      const watch = await openUserPage(suite.browser, pageOptions)
      watches.push(watch)
      return watch
    },
    async signedIn(name, viewport) {
      const response = await fetch(`${suite.cluster.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, email: suite.email(name), password: 'correct horse battery' }),
      })
      if (response.status !== 201) throw new Error(`register ${name}: ${response.status} ${await response.text()}`)
      const session = await response.json()
      const watch = await suite.page(viewport ? { viewport } : {})
      await watch.page.goto(`${suite.cluster.url}/login`)
      // Typed without the DOM library: this file is also compiled with the server-side test suites.
      await watch.page.evaluate(
        (stored) =>
          (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem(
            'hangout.session',
            stored,
          ),
        JSON.stringify(session),
      )
      return watch
    },
  }
  return suite
}
