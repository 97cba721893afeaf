import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_DIR, ROOT } from '@hangout/infra/paths'
import { ManagedProcess } from '@hangout/infra/process'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
export const SCREENSHOTS = join(ROOT, 'docs/screenshots')

/** Builds the web app as it is now into a folder of its own (nginx's workers must be able to read it). */
export async function buildWeb(): Promise<{ dir: string; remove(): void }> {
  const dir = join(DATA_DIR, `web-e2e-${randomBytes(4).toString('hex')}`)
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  // The data folder may have been made private (0700) by whoever created it first: nginx's workers
  // must pass through it. What needs to stay private in it (keys/) has its own mode.
  chmodSync(DATA_DIR, 0o755)
  chmodSync(dir, 0o755)
  const build = new ManagedProcess({
    name: 'vite build',
    command: process.execPath,
    args: [join(ROOT, 'web/node_modules/vite/bin/vite.js'), 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'],
    cwd: join(ROOT, 'web'),
    // Jest sets NODE_ENV=test, which would make Vite build the libraries' development code.
    env: { NODE_ENV: 'production' },
  })
  const code = await build.exited
  if (code !== 0) throw new Error(`vite build failed (${code}):\n${build.output}`)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** What a page reported that a user would never see but we must: CSP violations and script errors. */
export interface PageWatch {
  page: Page
  context: BrowserContext
  /** Socket.io frames this page sent, by event name. */
  sent(event: string): number
  /** Every `securitypolicyviolation` of every document this page has shown. */
  cspViolations: string[]
  errors: string[]
}

/** A page in a context of its own (its own localStorage: its own user), watched from its first script on. */
export async function openUserPage(
  browser: Browser,
  options: {
    viewport?: { width: number; height: number }
    storageState?: Awaited<ReturnType<BrowserContext['storageState']>>
  } = {},
): Promise<PageWatch> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    storageState: options.storageState,
  })
  const cspViolations: string[] = []
  await context.exposeBinding('__reportCsp', (_source, line: string) => void cspViolations.push(line))
  // Runs before the app's scripts, outside the page's CSP: it only listens.
  // Typed without the DOM library: this file is also compiled with the server-side test suites.
  await context.addInitScript(() => {
    const page = globalThis as unknown as {
      __reportCsp(line: string): void
      document: { addEventListener(type: string, listener: (event: CspViolation) => void): void }
    }
    const report = page.__reportCsp
    page.document.addEventListener('securitypolicyviolation', (event) => {
      report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`)
    })
  })
  const page = await context.newPage()
  const errors: string[] = []
  const frames = new Map<string, number>()
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(`console: ${message.text()}`)
  })
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => {
      // Socket.io event packets: 42["name",...] or 42<ackId>["name",...].
      const name = typeof frame.payload === 'string' ? frame.payload.match(/^42\d*\["([a-z_]+)"/)?.[1] : undefined
      if (name) frames.set(name, (frames.get(name) ?? 0) + 1)
    })
  })
  return {
    page,
    context,
    errors,
    sent: (event) => frames.get(event) ?? 0,
    cspViolations,
  }
}

/** The fields of a browser's SecurityPolicyViolationEvent that the CSP watch reports. */
interface CspViolation {
  violatedDirective: string
  blockedURI: string
  sourceFile: string
  lineNumber: number
}
