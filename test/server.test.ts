// The platform over a real listening socket: `startServer` as `caravel serve` runs it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { nip98Header } from '../src/nostr/nip98.js'
import { startServer, type RunningServer } from '../src/server.js'
import { freePort } from './helpers/ports.js'
import { testDatabaseEnv } from './helpers/test-database.js'

let server: RunningServer
let base: string
let dataDir: string
const sk = generateSecretKey()
const sign = (t: Parameters<typeof finalizeEvent>[0]) => finalizeEvent(t, sk)

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'caravel-server-'))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const config = loadConfig({ ...(await testDatabaseEnv()), DATA_DIR: dataDir, SERVER_PORT: String(port), SERVER_URL: base, ENGINE_PORT: String(await freePort()) })
  server = await startServer(config, pino({ level: 'silent' }))
})
afterAll(async () => {
  await server.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function signed(method: string, path: string, body?: string): RequestInit {
  const headers: Record<string, string> = { authorization: nip98Header(sign, { url: base + path, method, body }) }
  if (body !== undefined) headers['content-type'] = 'application/json'
  return { method, headers, body }
}

describe('caravel serve over a real socket', () => {
  it('creates exactly one tenant when POST /api/tenants arrives twice at once', async () => {
    const responses = await Promise.all([fetch(`${base}/api/tenants`, signed('POST', '/api/tenants')), fetch(`${base}/api/tenants`, signed('POST', '/api/tenants'))])
    expect(responses.map((r) => r.status).sort()).toEqual([200, 201])
    const bodies: any[] = await Promise.all(responses.map((r) => r.json()))
    expect(bodies.every((b) => b.data.pubkey === getPublicKey(sk))).toBe(true)
    const [count] = await server.platform.db.raw('SELECT COUNT(*) AS n FROM tenant')
    expect(count).toEqual({ n: 1 })
  })

  it('checks the raw query string exactly as sent', async () => {
    const path = '/api/relays?limit=5&note=a%20b'
    const res = await fetch(base + path, signed('GET', path))
    expect(res.status).toBe(200)
    const reordered = await fetch(base + path, signed('GET', '/api/relays?note=a%20b&limit=5'))
    expect(reordered.status).toBe(401)
    expect(((await reordered.json()) as any).code).toBe('auth-url')
  })

  it('runs a dashboard session over HTTP and refuses oversized bodies', async () => {
    const opened = await fetch(`${base}/api/session`, signed('POST', '/api/session'))
    expect(opened.status).toBe(201)
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!
    const body = JSON.stringify({ subdomain: 'over-socket', plan: 'free' })
    const created = await fetch(`${base}/api/relays`, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body })
    expect(created.status).toBe(201)
    const list: any = await (await fetch(`${base}/api/tenants/${getPublicKey(sk)}/relays`, { headers: { cookie } })).json()
    expect(list.data.items.map((r: { subdomain: string }) => r.subdomain)).toEqual(['over-socket'])
    const huge = await fetch(`${base}/api/relays`, {
      method: 'POST',
      headers: { cookie, origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ subdomain: 'x', plan: 'free', info_description: 'x'.repeat(200_000) }),
    })
    expect(huge.status).toBe(413)
    expect(((await huge.json()) as any).code).toBe('body-too-large')
  })

  it('starts the embedded engine, whose management API obeys only the robot key', async () => {
    const port = server.engine!.port
    const config = { host: 'socket-test.localhost', schema: 'socket_test', secret: '11'.repeat(32), info: { pubkey: getPublicKey(sk) } }
    const body = JSON.stringify(config)
    const url = `http://127.0.0.1:${port}/relay/socket-test`
    const robot = server.platform.robot
    const asRobot = await fetch(url, { method: 'POST', body, headers: { authorization: nip98Header(robot.sign, { url, method: 'POST', body }) } })
    expect(asRobot.status).toBe(201)
    const asUser = await fetch(url, { method: 'PATCH', body: '{}', headers: { authorization: nip98Header(sign, { url, method: 'PATCH', body: '{}' }) } })
    expect(asUser.status).toBe(403)
  })

  it('exposes health, readiness and metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    const ready = await fetch(`${base}/readyz`)
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', engine: 'ok' } })
    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toContain('caravel_http_requests_total{method="POST",route="/api/tenants",status="201"} 1')
    expect(metrics).toContain('caravel_process_cpu_seconds_total')
  })
})
