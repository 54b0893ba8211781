import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../helpers/platform.js'

let h: Harness

beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h.close())

describe('plans', () => {
  it('lists the three plans and gets one', async () => {
    const res = await h.user().request('GET', '/api/plans')
    expect(res.status).toBe(200)
    expect(res.body.code).toBe('ok')
    expect(res.body.data.map((p: { id: string }) => p.id)).toEqual(['free', 'basic', 'growth'])
    expect(res.body.data[2]).toMatchObject({ amount: 2500, members: null, blossom: true })
    const basic = await h.user().request('GET', '/api/plans/basic')
    expect(basic.body.data).toMatchObject({ id: 'basic', amount: 500, members: 100, stripe_price_id: null })
    expect((await h.user().request('GET', '/api/plans/gold')).body.code).toBe('plan-not-found')
  })
})

describe('tenant and relay lifecycle', () => {
  it('creates a tenant, a relay, updates, deactivates and reactivates it, with activity newest first', async () => {
    const alice = h.user()
    const identity0 = await alice.request('GET', '/api/identity')
    expect(identity0.body.data).toEqual({ pubkey: alice.pubkey, is_admin: false, is_tenant: false })

    const created = await alice.request('POST', '/api/tenants')
    expect(created.status).toBe(201)
    expect(created.body.data).toMatchObject({ pubkey: alice.pubkey, nwc_is_set: false, past_due_at: null })
    expect((await alice.request('POST', '/api/tenants')).status).toBe(200)
    expect((await alice.request('GET', '/api/identity')).body.data.is_tenant).toBe(true)

    const relayRes = await alice.request('POST', '/api/relays', {
      subdomain: 'alice-club',
      plan: 'basic',
      info_name: 'Alice Club',
      info_icon: 'https://example.com/i.png',
      blossom_enabled: true,
    })
    expect(relayRes.status).toBe(201)
    const relay = relayRes.body.data
    expect(relay).toMatchObject({
      tenant: alice.pubkey,
      subdomain: 'alice-club',
      url: `ws://alice-club.localhost:${h.platform.config.engine.port}`,
      plan: 'basic',
      status: 'active',
      synced: false,
      blossom_enabled: true,
      livekit_enabled: false,
    })
    expect(relay).not.toHaveProperty('secret')
    expect(relay.id).toMatch(/^[A-Za-z0-9_-]{22}$/)

    const updated = await alice.request('PUT', `/api/relays/${relay.id}`, { info_description: 'hello', policy_public_join: true })
    expect(updated.status).toBe(200)
    expect(updated.body.data).toMatchObject({ info_description: 'hello', policy_public_join: true, info_name: 'Alice Club' })

    expect((await alice.request('POST', `/api/relays/${relay.id}/deactivate`)).body.data.status).toBe('inactive')
    const again = await alice.request('POST', `/api/relays/${relay.id}/deactivate`)
    expect(again.status).toBe(400)
    expect(again.body.code).toBe('relay-is-inactive')
    expect((await alice.request('POST', `/api/relays/${relay.id}/activate`)).body.data.status).toBe('active')
    expect((await alice.request('POST', `/api/relays/${relay.id}/activate`)).body.code).toBe('relay-is-active')

    const activity = await alice.request('GET', `/api/relays/${relay.id}/activity`)
    expect(activity.body.data.items.map((a: { activity_type: string }) => a.activity_type).sort()).toEqual(
      ['activate_relay', 'create_relay', 'deactivate_relay', 'update_relay'].sort(),
    )
    const items = activity.body.data.items
    for (let i = 1; i < items.length; i++) {
      const a = items[i - 1]
      const b = items[i]
      expect(a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id)).toBe(true)
    }
    const deactivation = items.find((a: { activity_type: string }) => a.activity_type === 'deactivate_relay')
    expect(deactivation).toMatchObject({ relay_plan: 'basic', relay_status: 'inactive', resource_type: 'relay' })

    const mine = await alice.request('GET', `/api/tenants/${alice.pubkey}/relays`)
    expect(mine.body.data.items.map((r: { id: string }) => r.id)).toEqual([relay.id])
    expect((await alice.request('GET', '/api/relays')).body.data.items).toHaveLength(1)
  })

  it('pages activity and relays with cursors and no duplicates', async () => {
    const bob = h.user()
    const relay = (await bob.request('POST', '/api/relays', { subdomain: 'bob-paging', plan: 'free' })).body.data
    for (let i = 0; i < 6; i++) await bob.request('PUT', `/api/relays/${relay.id}`, { info_name: `n${i}` })
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const path: string = `/api/relays/${relay.id}/activity?limit=3${cursor ? `&cursor=${cursor}` : ''}`
      const res = await bob.request('GET', path)
      expect(res.status).toBe(200)
      seen.push(...res.body.data.items.map((a: { id: string }) => a.id))
      cursor = res.body.data.next_cursor
    } while (cursor)
    expect(seen).toHaveLength(7)
    expect(new Set(seen).size).toBe(7)

    for (const s of ['bob-two', 'bob-three']) await bob.request('POST', '/api/relays', { subdomain: s, plan: 'free' })
    const first = await bob.request('GET', `/api/tenants/${bob.pubkey}/relays?limit=2`)
    expect(first.body.data.items).toHaveLength(2)
    const second = await bob.request('GET', `/api/tenants/${bob.pubkey}/relays?limit=2&cursor=${first.body.data.next_cursor}`)
    expect(second.body.data.items).toHaveLength(1)
    expect(second.body.data.next_cursor).toBeNull()
    const bad = await bob.request('GET', `/api/relays/${relay.id}/activity?cursor=garbage`)
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('invalid-cursor')
  })

  it('refuses a taken subdomain and reports availability', async () => {
    const carol = h.user()
    await carol.request('POST', '/api/relays', { subdomain: 'carol-space', plan: 'free' })
    const dup = await h.user().request('POST', '/api/relays', { subdomain: 'carol-space', plan: 'free' })
    expect(dup.status).toBe(409)
    expect(dup.body.code).toBe('subdomain-exists')
    const taken = await carol.request('GET', '/api/subdomains/carol-space')
    expect(taken.body.data).toMatchObject({ available: false, reason_code: 'subdomain-exists' })
    expect((await carol.request('GET', '/api/subdomains/www')).body.data.reason_code).toBe('subdomain-reserved')
    expect((await carol.request('GET', '/api/subdomains/free-one')).body.data).toMatchObject({ available: true, reason: null })
  })

  it('stores the wallet URI encrypted and never returns it', async () => {
    const dave = h.user()
    await dave.request('POST', '/api/tenants')
    const uri = `nostr+walletconnect://${'ab'.repeat(32)}?relay=wss%3A%2F%2Frelay.example.com&secret=${'cd'.repeat(32)}`
    const res = await dave.request('PUT', `/api/tenants/${dave.pubkey}`, { nwc_url: uri })
    expect(res.status).toBe(200)
    expect(res.body.data.nwc_is_set).toBe(true)
    expect(res.body.data.nwc_wallet_pubkey).toBe('ab'.repeat(32))
    expect(JSON.stringify(res.body)).not.toContain('cd'.repeat(32))
    const row = await h.platform.queries.getTenant(dave.pubkey)
    expect(row!.nwc_url).not.toContain('walletconnect')
    expect(h.platform.box.open(row!.nwc_url!)).toBe(uri)
    const cleared = await dave.request('PUT', `/api/tenants/${dave.pubkey}`, { nwc_url: null })
    expect(cleared.body.data.nwc_is_set).toBe(false)
    const bad = await dave.request('PUT', `/api/tenants/${dave.pubkey}`, { nwc_url: 'https://wallet.example' })
    expect(bad.status).toBe(422)
    expect(bad.body.code).toBe('invalid-nwc-url')
  })

  it('keeps relay secrets encrypted at rest', async () => {
    const erin = h.user()
    const relay = (await erin.request('POST', '/api/relays', { subdomain: 'erin-secret', plan: 'free' })).body.data
    const row = await h.platform.queries.getRelay(relay.id)
    expect(row!.secret.startsWith('v1.')).toBe(true)
    expect(h.platform.box.open(row!.secret)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('lets an admin see everything, create a relay for a tenant and force-reactivate', async () => {
    const frank = h.user()
    const made = await h.admin.request('POST', '/api/relays', { subdomain: 'frank-by-admin', plan: 'free', tenant: frank.pubkey })
    expect(made.status).toBe(201)
    expect(made.body.data.tenant).toBe(frank.pubkey)
    const all = await h.admin.request('GET', '/api/relays?limit=200')
    expect(all.body.data.items.some((r: { id: string }) => r.id === made.body.data.id)).toBe(true)
    const tenants = await h.admin.request('GET', '/api/tenants?limit=200')
    expect(tenants.body.data.items.some((t: { pubkey: string }) => t.pubkey === frank.pubkey)).toBe(true)
    expect((await h.admin.request('GET', '/api/identity')).body.data.is_admin).toBe(true)
    const notAdmin = await frank.request('POST', '/api/relays', { subdomain: 'frank-for-other', plan: 'free', tenant: h.admin.pubkey })
    expect(notAdmin.status).toBe(403)
  })

  it('refuses to reactivate a delinquent relay unless an admin does it', async () => {
    const gina = h.user()
    const relay = (await gina.request('POST', '/api/relays', { subdomain: 'gina-late', plan: 'basic' })).body.data
    await h.platform.db.raw("UPDATE relay SET status = 'delinquent' WHERE id = ?", [relay.id])
    const res = await gina.request('POST', `/api/relays/${relay.id}/activate`)
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('relay-is-delinquent')
    expect((await gina.request('POST', `/api/relays/${relay.id}/deactivate`)).body.code).toBe('relay-is-inactive')
    expect((await h.admin.request('POST', `/api/relays/${relay.id}/activate`)).body.data.status).toBe('active')
  })
})

describe('admin lists', () => {
  it('filters relays by status, plan, sync state and subdomain prefix, and searches tenants', async () => {
    const hank = h.user()
    const a = (await hank.request('POST', '/api/relays', { subdomain: 'zz-filter-a', plan: 'growth' })).body.data
    const b = (await hank.request('POST', '/api/relays', { subdomain: 'zz-filter-b', plan: 'free' })).body.data
    await hank.request('POST', `/api/relays/${b.id}/deactivate`)
    await h.platform.commands.failRelaySync(a.id, 'engine unreachable: ECONNREFUSED')
    const ids = async (query: string, who = h.admin) =>
      (await who.request('GET', `/api/relays?limit=200&${query}`)).body.data.items.map((r: { id: string }) => r.id)
    expect(await ids('q=zz-filter')).toEqual([a.id, b.id])
    expect(await ids('q=zz-filter&status=inactive')).toEqual([b.id])
    expect(await ids('q=zz-filter&plan=growth')).toEqual([a.id])
    expect(await ids('plan=growth&status=active')).toContain(a.id)
    expect(await ids('sync=error')).toEqual([a.id])
    expect(await ids('sync=pending')).toContain(b.id)
    expect(await ids('sync=pending')).not.toContain(a.id)
    expect(await ids('status=inactive', hank)).toEqual([b.id])
    expect(await ids('status=inactive', h.user())).toEqual([])
    const bad = await h.admin.request('GET', '/api/relays?status=sleeping')
    expect(bad.status).toBe(400)

    const prefix = hank.pubkey.slice(0, 10)
    const found = await h.admin.request('GET', `/api/tenants?q=${prefix}`)
    expect(found.body.data.items.map((t: { pubkey: string }) => t.pubkey)).toContain(hank.pubkey)
    expect(found.body.data.items.every((t: { pubkey: string }) => t.pubkey.startsWith(prefix))).toBe(true)
    expect((await h.admin.request('GET', '/api/tenants?q=not-hex')).body.code).toBe('invalid-pubkey')
  })

  it("serves the deployment's public settings", async () => {
    const res = await h.user().request('GET', '/api/config')
    expect(res.body.data).toEqual({
      billing_enabled: false,
      relay_domain: 'localhost',
      relay_url_template: `ws://{subdomain}.localhost:${h.platform.config.engine.port}`,
      lightning_enabled: false,
      billing_grace_days: 7,
      profile_relays: [],
      signer_relays: ['wss://relay.nsec.app/'],
    })
  })
})

describe('sessions', () => {
  it('opens a cookie session, authenticates with it, checks Origin on writes and closes it', async () => {
    const user = h.user()
    const res = await user.request('POST', '/api/session')
    expect(res.status).toBe(201)
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toMatch(/^caravel_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800$/)
    expect(cookie).not.toContain('Domain')
    user.cookie = cookie.split(';')[0]
    expect((await user.request('GET', '/api/identity')).body.data.pubkey).toBe(user.pubkey)
    const token = user.cookie!.split('=')[1]!
    const stored = await h.platform.db.raw<{ token_hash: string }>('SELECT token_hash FROM session WHERE pubkey = ?', [user.pubkey])
    expect(stored).toHaveLength(1)
    expect(stored[0]!.token_hash).not.toContain(token)

    const noOrigin = await user.request('POST', '/api/tenants', undefined, { origin: 'https://evil.example' })
    expect(noOrigin.status).toBe(403)
    expect(noOrigin.body.code).toBe('origin-mismatch')
    expect((await user.request('POST', '/api/tenants')).status).toBe(201)
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()

    expect((await user.request('GET', '/api/session')).body.data).toEqual({ signed_in: true, pubkey: user.pubkey })
    const closed = await user.request('DELETE', '/api/session')
    expect(closed.status).toBe(204)
    expect(closed.headers.get('set-cookie')).toContain('Max-Age=0')
    const state = await user.request('GET', '/api/session')
    expect(state.status).toBe(200)
    expect(state.body.data).toEqual({ signed_in: false, pubkey: null })
    const after = await user.request('GET', '/api/identity')
    expect(after.status).toBe(401)
    expect(after.body.code).toBe('session-invalid')
    expect(after.headers.get('set-cookie')).toContain('Max-Age=0')
  })

  it('expires sessions and a bad Authorization header wins over a good cookie', async () => {
    const user = h.user()
    await user.signIn()
    const res = await user.request('GET', '/api/identity', undefined, { authorization: 'Nostr bm9wZQ==' })
    expect(res.status).toBe(401)
    await h.platform.db.raw('UPDATE session SET expires_at = 1 WHERE pubkey = ?', [user.pubkey])
    expect((await user.request('GET', '/api/identity')).body.code).toBe('session-invalid')
    expect(await h.platform.commands.deleteExpiredSessions()).toBeGreaterThanOrEqual(1)
    expect(await h.platform.db.raw('SELECT COUNT(*) AS n FROM session WHERE pubkey = ?', [user.pubkey])).toEqual([{ n: 0 }])
  })

  it('refuses to open a session from a cookie alone', async () => {
    const user = h.user()
    await user.signIn()
    const res = await user.request('POST', '/api/session')
    expect(res.status).toBe(401)
  })
})

describe('operations', () => {
  it('serves health, readiness, metrics and an OpenAPI document that lists every route', async () => {
    expect((await h.app.request('/healthz')).status).toBe(200)
    const ready = await h.app.request('/readyz')
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok' } })
    await h.user().request('GET', '/api/plans')
    const metrics = await (await h.app.request('/metrics')).text()
    expect(metrics).toMatch(/caravel_http_requests_total\{method="GET",route="\/api\/plans",status="200"\} \d+/)
    expect(metrics).toContain('caravel_http_request_duration_seconds_bucket')
    const doc: any = await (await h.app.request('/api/openapi.json')).json()
    const paths = Object.keys(doc.paths).sort()
    expect(paths).toEqual(
      [
        '/config',
        '/engines',
        '/identity',
        '/invoices/{id}/lightning',
        '/plans',
        '/plans/{id}',
        '/relays',
        '/relays/{id}',
        '/relays/{id}/activate',
        '/relays/{id}/activity',
        '/relays/{id}/deactivate',
        '/relays/{id}/export',
        '/relays/{id}/import',
        '/relays/{id}/invites',
        '/relays/{id}/invites/{code}',
        '/relays/{id}/members',
        '/relays/{id}/members/{pubkey}',
        '/relays/{id}/move',
        '/relays/{id}/bans',
        '/relays/{id}/bans/{pubkey}',
        '/relays/{id}/banned-events',
        '/relays/{id}/banned-events/{eventId}',
        '/relays/{id}/stats',
        '/relays/{id}/sync',
        '/session',
        '/stripe/webhook',
        '/tenants/{pubkey}/invoices',
        '/tenants/{pubkey}/portal',
        '/subdomains/{subdomain}',
        '/tenants',
        '/tenants/{pubkey}',
        '/tenants/{pubkey}/relays',
      ].sort(),
    )
    for (const ops of Object.values(doc.paths) as Record<string, { 'x-access'?: string }>[]) {
      for (const op of Object.values(ops)) expect(op['x-access']).toBeTruthy()
    }
  })

  it('allows CORS only from SERVER_ALLOW_ORIGINS and never with credentials', async () => {
    const allowed = await h.app.request('/api/plans', { headers: { origin: 'http://localhost:2892' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:2892')
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull()
    const preflight = await h.app.request('/api/relays', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:2892', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    const other = await h.app.request('/api/plans', { headers: { origin: 'https://evil.example' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers unknown API routes with a 404 envelope', async () => {
    const res = await h.user().request('GET', '/api/nope')
    expect(res.status).toBe(404)
    expect(res.body.code).toBe('not-found')
  })
})
