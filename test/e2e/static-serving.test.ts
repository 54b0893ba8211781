// `caravel serve` serves the built dashboard at `/` beside the API: assets with a long cache, index.html for
// page paths (the app routes in the browser), and the API, health, readiness and metrics untouched.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DASHBOARD_DIR, dashboard, packageRoot } from '../../src/api/static.js'
import { createHarness, type Harness } from '../helpers/platform.js'
import { ensureDashboardBuilt } from './harness.js'

describe('the dashboard handler', () => {
  let dir: string
  let app: Hono
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'caravel-static-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>')
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)')
    writeFileSync(join(dir, 'robots.txt'), 'User-agent: *')
    writeFileSync(join(tmpdir(), 'caravel-secret.txt'), 'secret')
    app = new Hono()
    app.use('*', dashboard(dir))
    app.all('*', (c) => c.text('fell through', 404))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(join(tmpdir(), 'caravel-secret.txt'), { force: true })
  })

  it('serves hashed assets with a long cache and other files revalidated', async () => {
    const asset = await app.request('/assets/app-1234.js')
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(await asset.text()).toBe('console.log(1)')
    const robots = await app.request('/robots.txt')
    expect(robots.headers.get('cache-control')).toBe('no-cache')
  })

  it('answers page paths with index.html, and missing files with a 404', async () => {
    for (const path of ['/', '/relays', '/relays/abc123', '/admin/relays?status=inactive']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(await res.text()).toContain('<title>app</title>')
    }
    expect((await app.request('/assets/missing.js')).status).toBe(404)
    expect((await app.request('/favicon.ico')).status).toBe(404)
  })

  it('never serves files outside its folder', async () => {
    for (const path of ['/../caravel-secret.txt', '/%2e%2e/caravel-secret.txt', '/..%2fcaravel-secret.txt', '/assets/%2e%2e/%2e%2e/caravel-secret.txt']) {
      const res = await app.request(path)
      expect(await res.text(), path).not.toBe('secret')
    }
  })

  it('leaves the API, health, readiness and metrics alone, and writes too', async () => {
    for (const path of ['/api', '/api/anything', '/healthz', '/readyz', '/metrics']) {
      expect(await (await app.request(path)).text(), path).toBe('fell through')
    }
    expect(await (await app.request('/relays', { method: 'POST' })).text()).toBe('fell through')
  })

  it('finds dist/web from the package root, wherever the process runs', () => {
    expect(DASHBOARD_DIR).toBe(join(packageRoot(), 'dist', 'web'))
    expect(packageRoot(join(packageRoot(), 'dist', 'api'))).toBe(packageRoot())
  })
})

describe('the app serves the dashboard next to the API', () => {
  let h: Harness
  beforeAll(async () => {
    await ensureDashboardBuilt()
    h = await createHarness()
  })
  afterAll(() => h.close())

  it('serves the built app at / and for page paths', async () => {
    for (const path of ['/', '/relays/some-id', '/admin/tenants']) {
      const res = await h.app.request(path)
      expect(res.status, path).toBe(200)
      expect(await res.text()).toContain('<div id="root"></div>')
    }
  })

  it('keeps the API, its JSON 404, health and metrics', async () => {
    const plans = await h.app.request('/api/plans')
    expect(plans.status).toBe(200)
    expect(((await plans.json()) as { code: string }).code).toBe('ok')
    const missing = await h.app.request('/api/no-such-route')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'no such API route', code: 'not-found' })
    expect((await h.app.request('/healthz')).status).toBe(200)
    const metrics = await h.app.request('/metrics')
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toContain('# HELP')
    const spec = await h.app.request('/api/openapi.json')
    expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.1.0')
  })
})
