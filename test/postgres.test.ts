// The platform on PostgreSQL: the same migrations and queries as on SQLite, over the real API, and every query a
// request or worker runs served by an index on a populated database (EXPLAIN shows no sequential scan of a
// growing table; the activity page needs no sort).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresDatabase } from '../src/db/postgres.js'
import { pino } from 'pino'
import { createApp } from '../src/api/app.js'
import { DatabaseReplayGuard } from '../src/api/auth/replay-cache.js'
import { nip98Header } from '../src/nostr/nip98.js'
import { openPlatform } from '../src/platform/platform.js'
import { createHarness, send, SERVER_URL, type Harness } from './helpers/platform.js'
import { startPostgres, type TestPostgres } from './helpers/postgres.js'

let cluster: TestPostgres
let h: Harness

beforeAll(async () => {
  cluster = await startPostgres()
  h = await createHarness({ DATABASE_URL: await cluster.createDatabase() })
}, 120_000)
afterAll(async () => {
  await h?.close()
  cluster?.stop()
})

describe('PostgreSQL', () => {
  it('applies every migration and records it', async () => {
    expect(h.platform.db.kind).toBe('postgres')
    const applied = await h.platform.db.raw<{ name: string }>('SELECT name FROM migration ORDER BY name')
    expect(applied.map((r) => r.name)).toEqual(expect.arrayContaining(['0001_init.sql', '0002_hot_path_indexes.sql', '0006_billing.sql']))
    const indexes = await h.platform.db.raw<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
    expect(indexes.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'idx_tenant_stripe_customer_id',
        'idx_relay_tenant_id',
        'idx_relay_tenant_status_plan',
        'idx_activity_resource_type_resource_id_created_at_id',
      ]),
    )
  })

  it('runs the tenant and relay lifecycle through the API', async () => {
    const alice = h.user()
    const [a, b] = await Promise.all([alice.request('POST', '/api/tenants'), alice.request('POST', '/api/tenants')])
    expect([a.status, b.status].sort()).toEqual([200, 201])
    const relay = (await alice.request('POST', '/api/relays', { subdomain: 'pg-club', plan: 'basic', blossom_enabled: true })).body.data
    expect(relay).toMatchObject({ subdomain: 'pg-club', status: 'active', synced: false, blossom_enabled: true })
    expect((await h.user().request('POST', '/api/relays', { subdomain: 'pg-club', plan: 'free' })).body.code).toBe('subdomain-exists')
    for (let i = 0; i < 4; i++) await alice.request('PUT', `/api/relays/${relay.id}`, { info_name: `n${i}` })
    await alice.request('POST', `/api/relays/${relay.id}/deactivate`)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: any = await alice.request('GET', `/api/relays/${relay.id}/activity?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...res.body.data.items.map((x: { activity_type: string }) => x.activity_type))
      cursor = res.body.data.next_cursor
    } while (cursor)
    expect(seen).toEqual(['deactivate_relay', 'update_relay', 'update_relay', 'update_relay', 'update_relay', 'create_relay'])
    await alice.signIn()
    expect((await alice.request('GET', '/api/identity')).body.data).toMatchObject({ pubkey: alice.pubkey, is_tenant: true })
    const mine = await alice.request('GET', `/api/tenants/${alice.pubkey}/relays`)
    expect(mine.body.data.items.map((r: { id: string }) => r.id)).toEqual([relay.id])
    expect(typeof mine.body.data.items[0].created_at).toBe('number')
  })

  it('shares used NIP-98 tokens and sessions between two API instances on one database', async () => {
    const other = createApp(await openPlatform({ ...h.platform.config }, pino({ level: 'silent' })))
    const alice = h.user()
    const header = nip98Header(alice.sign, { url: `${SERVER_URL}/api/identity`, method: 'GET' })
    expect((await send(h.app, 'GET', '/api/identity', undefined, { authorization: header })).status).toBe(200)
    const replayed = await send(other, 'GET', '/api/identity', undefined, { authorization: header })
    expect(replayed.status).toBe(401)
    expect(replayed.body.code).toBe('auth-replay')
    await alice.signIn()
    const viaOther = await send(other, 'GET', '/api/identity', undefined, { cookie: alice.cookie! })
    expect(viaOther.body.data.pubkey).toBe(alice.pubkey)
    const guard = new DatabaseReplayGuard(h.platform.db)
    expect(await guard.sweep(Math.floor(Date.now() / 1000) + 121)).toBeGreaterThanOrEqual(2)
  })

  it('serves every query from an index on a populated database', async () => {
    const db = h.platform.db as PostgresDatabase
    await db.execScript(`
      INSERT INTO tenant (pubkey, stripe_customer_id, created_at)
        SELECT lpad(to_hex(g), 64, '0'), CASE WHEN g % 3 = 0 THEN 'cus_' || g END, 1700000000 + g FROM generate_series(1, 20000) g;
      INSERT INTO relay (id, tenant, subdomain, plan, status, secret, created_at, updated_at)
        SELECT 'r' || g, lpad(to_hex(g % 20000 + 1), 64, '0'), 'sub-' || g, (ARRAY['free','basic','growth'])[g % 3 + 1],
               (ARRAY['active','inactive','delinquent'])[g % 3 + 1], 'v1.x', 1700000000, 1700000000 FROM generate_series(1, 50000) g;
      INSERT INTO activity (id, tenant, created_at, activity_type, resource_type, resource_id, relay_plan, relay_status)
        SELECT 'a' || g, lpad(to_hex(g % 20000 + 1), 64, '0'), 1700000000 + g / 7, 'update_relay', 'relay', 'r' || (g % 50000 + 1), 'free', 'active'
        FROM generate_series(1, 200000) g;
      INSERT INTO session (token_hash, pubkey, created_at, expires_at)
        SELECT md5(g::text), lpad(to_hex(g % 20000 + 1), 64, '0'), 1700000000, 1800000000 + g FROM generate_series(1, 20000) g;
      INSERT INTO stripe_event (id, type, received_at, processed_at, payload)
        SELECT 'evt_' || g, 'invoice.paid', 1700000000 + g, CASE WHEN g % 50 = 0 THEN NULL ELSE 1700000000 + g END, '{}' FROM generate_series(1, 20000) g;
      INSERT INTO invoice_nwc_payment (invoice_id, tenant, state, created_at, updated_at)
        SELECT 'in_' || g, lpad(to_hex(g % 20000 + 1), 64, '0'), CASE WHEN g % 40 = 0 THEN 'pending' ELSE 'paid' END, 1700000000, 1700000000 + g
        FROM generate_series(1, 20000) g;
      INSERT INTO notification (id, recipient, kind, text, status, created_at, next_attempt_at)
        SELECT 'n:' || g, lpad(to_hex(g % 20000 + 1), 64, '0'), 'relay-ready', 'x', 'sent', 1700000000, CASE WHEN g % 50 = 0 THEN 1700000000 + g END
        FROM generate_series(1, 20000) g;
      ANALYZE;
    `)
    const q = h.platform.queries
    // Run each hot path once so its statement is prepared, then read every plan.
    await q.getTenantByStripeCustomerId('cus_3')
    await q.listRelaysForTenant(''.padStart(63, '0') + '5', '', 51)
    await q.hasActivePaidRelays(''.padStart(63, '0') + '5')
    await q.listActivityForRelay('r5', 51)
    await q.listActivityForRelay('r5', 51, { created_at: 1700000100, id: 'a700' })
    // An untyped literal fits text and bigint parameters alike.
    const values = (sql: string) => [...sql.matchAll(/\$(\d+)/g)].map(() => '5')
    const bad: { sql: string; plan: string[] }[] = []
    for (const sql of db.preparedSql) {
      const plan = await db.explain(sql, values(sql))
      const text = plan.join('\n')
      // PostgreSQL may sort the few rows an index found (a tenant's relays); a sequential scan of a table that grows
      // with tenants is what must never happen. (The operator's admin list is tiny and does not grow.)
      if (/Seq Scan on (tenant|relay|activity|session|stripe_event|invoice_nwc_payment|notification)\b/.test(text)) {
        bad.push({ sql, plan })
      }
    }
    expect(bad).toEqual([])
    // The hot paths with realistic values (the planner judges selectivity by them).
    const tenant = ''.padStart(63, '0') + '5'
    const hot = async (fragment: string, params: unknown[], index: string) => {
      const sql = db.preparedSql.find((s) => s.includes(fragment))!
      expect((await db.explain(sql, params)).join('\n')).toContain(index)
    }
    await hot('"stripe_customer_id" = $1', ['cus_3'], 'idx_tenant_stripe_customer_id')
    await hot('select * from "relay" where "tenant" = $1 and "id" > $2', [tenant, ''], 'Index Cond: (tenant =')
    await hot('"status" = $2 and "plan" in', [tenant, 'active', 'basic', 'growth'], 'idx_relay_tenant_status_plan')
    await hot('order by "created_at" desc, "id" desc', ['relay', 'r5', 9e15, ''], 'idx_activity_resource_type_resource_id_created_at_id')
    // The keyset page of activity needs no sort at all: the index gives the order.
    const activity = db.preparedSql.find((s) => s.includes('order by "created_at" desc, "id" desc'))!
    expect((await db.explain(activity, values(activity))).join('\n')).not.toMatch(/\bSort\b/)
  })
})
