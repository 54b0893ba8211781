// A real platform on a temporary SQLite file, its Hono app, and signed clients for it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { pino } from 'pino'
import { createApp, type AppOptions } from '../../src/api/app.js'
import { loadConfig } from '../../src/config.js'
import { nip98Header } from '../../src/nostr/nip98.js'
import { initVerifier } from '../../src/nostr/verify.js'
import { openPlatform, type Platform } from '../../src/platform/platform.js'
import { freePort } from './ports.js'
import { testDatabaseEnv } from './test-database.js'

export const SERVER_URL = 'http://localhost:2892'

export interface Harness {
  platform: Platform
  app: ReturnType<typeof createApp>
  dataDir: string
  admin: User
  user(): User
  close(): Promise<void>
}

export interface Res {
  status: number
  body: any
  headers: Headers
}

export class User {
  readonly sk = generateSecretKey()
  readonly pubkey = getPublicKey(this.sk)
  cookie: string | undefined

  constructor(private readonly app: Harness['app']) {}

  sign = (t: Parameters<typeof finalizeEvent>[0]) => finalizeEvent(t, this.sk)

  /** A NIP-98 request (fresh token each call), or a cookie request after `signIn()`. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const raw = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    const h: Record<string, string> = { ...headers }
    if (raw !== undefined && !('content-type' in h)) h['content-type'] = 'application/json'
    if (this.cookie) {
      h.cookie = this.cookie
      if (method !== 'GET' && !('origin' in h)) h.origin = SERVER_URL
    } else if (!('authorization' in h)) {
      h.authorization = nip98Header(this.sign, { url: SERVER_URL + path, method, body: raw })
    }
    return send(this.app, method, path, raw, h)
  }

  async signIn(): Promise<void> {
    this.cookie = undefined
    const res = await this.request('POST', '/api/session')
    if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`)
    this.cookie = res.headers.get('set-cookie')!.split(';')[0]
  }
}

export async function send(app: Harness['app'], method: string, path: string, raw?: string, headers: Record<string, string> = {}): Promise<Res> {
  const res = await app.request(path, { method, body: raw, headers })
  const text = await res.text()
  let body: any = text
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers }
}

export async function createHarness(env: Record<string, string> = {}, appOptions: AppOptions = {}): Promise<Harness> {
  await initVerifier()
  const dataDir = mkdtempSync(join(tmpdir(), 'caravel-test-'))
  const adminSk = generateSecretKey()
  const config = loadConfig({
    DATA_DIR: dataDir,
    // Nothing listens here unless a test starts an engine on it.
    ENGINE_PORT: String(await freePort()),
    ...(await testDatabaseEnv()),
    SERVER_URL,
    SERVER_ADMIN_PUBKEYS: getPublicKey(adminSk),
    ...env,
  })
  const platform = await openPlatform(config, pino({ level: 'silent' }))
  const app = createApp(platform, appOptions)
  const admin = new User(app)
  Object.assign(admin, { sk: adminSk, pubkey: getPublicKey(adminSk) })
  return {
    platform,
    app,
    dataDir,
    admin,
    user: () => new User(app),
    close: async () => {
      await platform.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
