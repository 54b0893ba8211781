// End-to-end harness: a real `caravel serve` (startServer) on a temporary data directory and free ports,
// the built dashboard, and Debian's Chromium driven by playwright-core with a fake NIP-07 extension that
// signs with a test key. Every page fails its test on any console error or uncaught exception.
import { execFileSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finalizeEvent, type EventTemplate } from 'nostr-tools/pure'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { pino } from 'pino'
import { DASHBOARD_DIR, packageRoot } from '../../src/api/static.js'
import { loadConfig } from '../../src/config.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { keys, sign, type Keys } from '../engine/helpers.js'
import { freePort } from '../helpers/ports.js'

export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
export const SCREENSHOTS = join(packageRoot(), 'test', 'e2e', 'screenshots')
export const DESKTOP = { width: 1280, height: 900 }
export const PHONE = { width: 390, height: 844 }
/** Generous: the machine has two cores shared by parallel test files. */
export const WAIT = 20_000

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

/**
 * Builds the dashboard when dist/web is missing or older than web/ (npm ci and npm run build already did;
 * this keeps a test run after editing web/ honest). A lock file keeps parallel test files from building twice.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  const root = packageRoot()
  const index = join(DASHBOARD_DIR, 'index.html')
  const stale = () => !existsSync(index) || statSync(index).mtimeMs < newestMtime(join(root, 'web'))
  if (!stale()) return
  mkdirSync(join(root, 'dist'), { recursive: true })
  const lock = join(root, 'dist', '.web-build.lock')
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'))
      break
    } catch {
      await new Promise((r) => setTimeout(r, 200))
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { force: true })
    }
  }
  try {
    if (stale()) execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  } finally {
    rmSync(lock, { force: true })
  }
}

export interface Caravel {
  server: RunningServer
  /** http://localhost:<port>: SERVER_URL, where the browser opens the dashboard. */
  base: string
  enginePort: number
  dataDir: string
  /** A NIP-98 API call as `who` from Node (to seed data the way another client would). */
  api(who: Keys, method: string, path: string, body?: unknown): Promise<{ status: number; data?: any; code: string; error?: string }>
  close(): Promise<void>
}

export async function startCaravel(env: Record<string, string> = {}): Promise<Caravel> {
  await ensureDashboardBuilt()
  const dataDir = mkdtempSync(join(tmpdir(), 'caravel-e2e-'))
  const port = await freePort()
  const enginePort = await freePort()
  const base = `http://localhost:${port}`
  const config = loadConfig({ DATA_DIR: dataDir, SERVER_PORT: String(port), SERVER_URL: base, ENGINE_PORT: String(enginePort), ...env })
  const server = await startServer(config, pino({ level: 'silent' }))
  return {
    server,
    base,
    enginePort,
    dataDir,
    async api(who, method, path, body) {
      const raw = body === undefined ? undefined : JSON.stringify(body)
      const headers: Record<string, string> = { authorization: nip98Header((t) => sign(who, t), { url: base + path, method, body: raw }) }
      if (raw) headers['content-type'] = 'application/json'
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: raw })
      return { status: res.status, ...((await res.json()) as { code: string }) }
    },
    async close() {
      await server.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
}

export interface PageOptions {
  /** The key the fake NIP-07 extension signs with; none = no extension in this browser. */
  signer?: Keys
  /** Relays the dashboard may use for profiles and NIP-46 (never the public defaults in tests). */
  relays?: string[]
  viewport?: { width: number; height: number }
}

export interface TestPage {
  page: Page
  context: BrowserContext
  /** Console errors and page errors seen so far; tests assert it stays empty. */
  errors: string[]
  /** NIP-07 signatures the fake extension made. */
  signatures: EventTemplate[]
}

export async function openPage(browser: Browser, base: string, options: PageOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, baseURL: base })
  const errors: string[] = []
  const signatures: EventTemplate[] = []
  const relays = JSON.stringify(options.relays ?? [])
  await context.addInitScript(`
    localStorage.setItem('caravel.profileRelays', ${JSON.stringify(relays)});
    localStorage.setItem('caravel.signerRelays', ${JSON.stringify(relays)});
  `)
  const signer = options.signer
  if (signer) {
    await context.exposeBinding('__testNip07Sign', (_source, template: string) => {
      const t = JSON.parse(template) as EventTemplate
      signatures.push(t)
      return JSON.stringify(finalizeEvent(t, signer.sk))
    })
    await context.addInitScript(`
      window.nostr = {
        getPublicKey: async () => ${JSON.stringify(signer.pk)},
        signEvent: async (t) => JSON.parse(await window.__testNip07Sign(JSON.stringify(t))),
      };
    `)
  }
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT)
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`)
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  return { page, context, errors, signatures }
}

/** Screenshots of the current page at desktop and phone width, into the uncommitted screenshots folder. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const viewport = page.viewportSize() ?? DESKTOP
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(size)
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true })
  }
  await page.setViewportSize(viewport)
}

export { keys, type Keys }

/** Takes one expected console error (the browser's own log line for a refused request) off the page's list. */
export function takeConsoleError(tp: TestPage, pattern: RegExp): void {
  const i = tp.errors.findIndex((e) => pattern.test(e))
  if (i < 0) throw new Error(`expected a console error matching ${pattern}; saw ${JSON.stringify(tp.errors)}`)
  tp.errors.splice(i, 1)
}
