// Every query the platform runs is served by an index: EXPLAIN QUERY PLAN on a populated database shows no
// full scan of a growing table and no temporary sort. Dropping any hot-path index makes this test fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type BetterSqlite3 from 'better-sqlite3'
import type { SqliteDatabase } from '../src/db/database.js'
import { createHarness, type Harness } from './helpers/platform.js'

const GROWING = ['tenant', 'relay', 'activity', 'session', 'admin', 'stripe_event', 'invoice_nwc_payment']

const HOT_PATHS: Record<string, { index: string; sql: (all: string[]) => string | undefined }> = {
  getTenantByStripeCustomerId: { index: 'idx_tenant_stripe_customer_id', sql: (all) => all.find((s) => s.includes('"stripe_customer_id" = ?')) },
  listRelaysForTenant: { index: 'idx_relay_tenant_id', sql: (all) => all.find((s) => s.includes('from "relay" where "tenant" = ? and "id" > ?')) },
  hasActivePaidRelays: { index: 'idx_relay_tenant_status_plan', sql: (all) => all.find((s) => s.includes('"status" = ? and "plan" in')) },
  listActivityForRelay: {
    index: 'idx_activity_resource_type_resource_id_created_at_id',
    sql: (all) => all.find((s) => s.includes('from "activity"') && s.includes('order by "created_at" desc')),
  },
}

function plan(db: BetterSqlite3.Database, sql: string): string[] {
  // Realistic non-null values: with STAT4 the planner may look at bound values, and `= NULL` matches nothing.
  const params = (sql.match(/\?/g) ?? []).map(() => 'a'.repeat(64))
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail)
}

function problems(db: BetterSqlite3.Database, sql: string): string[] {
  return plan(db, sql).filter(
    (d) => d.includes('USE TEMP B-TREE') || GROWING.some((t) => new RegExp(`^SCAN ${t}\\b`).test(d) && !/USING (COVERING )?INDEX/.test(d)),
  )
}

let h: Harness
/** This test reads SQLite's own plans; the PostgreSQL plans have their own test. */
const sqlite = () => h.platform.db as SqliteDatabase

function populate(db: BetterSqlite3.Database) {
  const tenant = db.prepare('INSERT INTO tenant (pubkey, stripe_customer_id, created_at) VALUES (?, ?, ?)')
  const relay = db.prepare(
    "INSERT INTO relay (id, tenant, subdomain, plan, status, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'v1.x', ?, ?)",
  )
  const activity = db.prepare(
    'INSERT INTO activity (id, tenant, created_at, activity_type, resource_type, resource_id, relay_plan, relay_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const plans = ['free', 'basic', 'growth']
  const statuses = ['active', 'inactive', 'delinquent']
  db.transaction(() => {
    for (let t = 0; t < 3000; t++) {
      const pk = t.toString(16).padStart(64, '0')
      tenant.run(pk, t % 3 === 0 ? `cus_${t}` : null, 1_700_000_000 + t)
      for (let r = 0; r < 3; r++) {
        const id = `r${t}-${r}`
        relay.run(id, pk, `sub-${t}-${r}`, plans[(t + r) % 3], statuses[(t * r) % 3], 1_700_000_000, 1_700_000_000)
        for (let a = 0; a < 5; a++) {
          activity.run(`a${t}-${r}-${a}`, pk, 1_700_000_000 + a, 'update_relay', 'relay', id, plans[r % 3], 'active')
        }
      }
      activity.run(`t${t}`, pk, 1_700_000_000, 'create_tenant', 'tenant', pk, null, null)
    }
  })()
}

beforeAll(async () => {
  h = await createHarness()
  populate(sqlite().rawWriter)
  // Drive every request the API offers so that every statement a request runs has been prepared.
  const owner = h.user()
  await owner.signIn()
  const relay = (await owner.request('POST', '/api/relays', { subdomain: 'plan-check', plan: 'basic' })).body.data
  const calls: [string, string, unknown?][] = [
    ['GET', '/api/identity'],
    ['POST', '/api/tenants'],
    ['GET', `/api/tenants/${owner.pubkey}`],
    ['PUT', `/api/tenants/${owner.pubkey}`, { nwc_url: null }],
    ['GET', `/api/tenants/${owner.pubkey}/relays?limit=1`],
    ['GET', '/api/relays'],
    ['GET', `/api/relays/${relay.id}`],
    ['PUT', `/api/relays/${relay.id}`, { info_name: 'x' }],
    ['POST', `/api/relays/${relay.id}/deactivate`],
    ['POST', `/api/relays/${relay.id}/activate`],
    ['GET', `/api/relays/${relay.id}/activity?limit=1`],
    ['GET', '/api/subdomains/plan-check'],
    ['DELETE', '/api/session'],
  ]
  for (const [method, path, body] of calls) {
    const res = await owner.request(method, path, body)
    expect(res.status, `${method} ${path}`).toBeLessThan(300)
  }
  owner.cookie = undefined
  const next = await owner.request('GET', `/api/relays/${relay.id}/activity?limit=1`)
  await owner.request('GET', `/api/relays/${relay.id}/activity?limit=1&cursor=${next.body.data.next_cursor}`)
  await h.admin.request('GET', '/api/tenants?limit=2')
  await h.admin.request('GET', '/api/relays?limit=2')
  for (const query of ['status=active', 'plan=basic', 'sync=error', 'sync=pending', 'sync=ok', 'q=sub-1', 'q=sub&status=inactive', 'status=active&plan=free', 'plan=growth&sync=ok']) {
    const res = await h.admin.request('GET', `/api/relays?limit=2&${query}`)
    expect(res.status, query).toBe(200)
  }
  await owner.request('GET', '/api/relays?status=active')
  await h.admin.request('GET', `/api/tenants?q=00000000000000ab`)
  await h.platform.commands.deleteExpiredSessions()
  // Worker queries (billing, Lightning, relay sync) that no request above runs.
  const q = h.platform.queries
  await q.getTenantByStripeCustomerId('cus_3')
  await q.listTenantsPastDueBefore(1_800_000_000, undefined, 10)
  await q.listTenantsPastDueBefore(1_800_000_000, { at: 1, pubkey: 'a' }, 10)
  await q.listTenantsWithSubscription('', 10)
  await q.listActiveRelays('', 10)
  await q.listRelaysForTenantByStatus(owner.pubkey, 'active')
  await q.listUnprocessedStripeEvents(100)
  await q.listUnsyncedRelays('', 500)
  await q.hasCompletedRelaySync(relay.id)
  await q.getInvoicePayment('in_1')
  await q.listPendingInvoicePayments(500)
  await h.platform.queries.getTenantByStripeCustomerId('cus_3')
  await h.platform.queries.hasActivePaidRelays(owner.pubkey)
})
afterAll(() => h.close())

function allSql(): string[] {
  const db = h.platform.db
  return [...new Set([...db.preparedSql, ...db.executedSql()])].filter((s) => !/^(BEGIN|COMMIT|ROLLBACK|PRAGMA)/i.test(s))
}

describe('query plans', () => {
  it('has statements to check', () => {
    expect(allSql().length).toBeGreaterThan(15)
  })

  for (const analyzed of [false, true]) {
    it(`every query uses an index and never sorts in a temp b-tree (${analyzed ? 'after' : 'before'} ANALYZE)`, () => {
      const db = sqlite().rawWriter
      if (analyzed) db.exec('ANALYZE')
      const bad = allSql()
        .map((sql) => ({ sql, problems: problems(db, sql) }))
        .filter((r) => r.problems.length > 0)
      expect(bad).toEqual([])
    })
  }

  for (const [name, { index, sql }] of Object.entries(HOT_PATHS)) {
    it(`${name} is served by ${index}, so dropping it fails this test`, () => {
      const statement = sql(h.platform.db.preparedSql)
      expect(statement, name).toBeDefined()
      const db = sqlite().rawWriter
      expect(plan(db, statement!).join('\n')).toMatch(new RegExp(`USING (COVERING )?INDEX ${index}\\b`))
      const definition = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(index) as { sql: string }).sql
      db.exec('BEGIN')
      try {
        db.exec(`DROP INDEX ${index}`)
        const without = plan(db, statement!).join('\n')
        expect(without).not.toMatch(new RegExp(`INDEX ${index}\\b`))
      } finally {
        db.exec('ROLLBACK')
      }
      expect((db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(index) as { sql: string }).sql).toBe(definition)
    })
  }
})
