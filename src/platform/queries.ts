// Reads. Every query a request, webhook or worker runs is compiled once here into a prepared statement, and
// each is served by an index (the query-plan test walks them all). Names say what they answer.
import type { Database } from '../db/database.js'
import type { ActivityRow, RelayRow, SessionTable, TenantRow } from '../db/schema.js'
import { PAID_PLAN_IDS } from './plans.js'

const MAX_TIME = Number.MAX_SAFE_INTEGER

export type QueryName = keyof ReturnType<typeof buildQueries>

function buildQueries(db: Database) {
  return {
    getTenant: db.preparedOne<[pubkey: string], TenantRow>((q, p) =>
      q.selectFrom('tenant').selectAll().where('pubkey', '=', p(0)),
    ),
    /** Hot path: every Stripe webhook. */
    getTenantByStripeCustomerId: db.preparedOne<[customerId: string], TenantRow>((q, p) =>
      q.selectFrom('tenant').selectAll().where('stripe_customer_id', '=', p(0)).limit(1),
    ),
    listTenants: db.prepared<[afterPubkey: string, limit: number], TenantRow>((q, p) =>
      q.selectFrom('tenant').selectAll().where('pubkey', '>', p(0)).orderBy('pubkey').limit(p(1)),
    ),
    getRelay: db.preparedOne<[id: string], RelayRow>((q, p) => q.selectFrom('relay').selectAll().where('id', '=', p(0))),
    getRelayBySubdomain: db.preparedOne<[subdomain: string], { id: string }>((q, p) =>
      q.selectFrom('relay').select('id').where('subdomain', '=', p(0)),
    ),
    /** Hot path: API and billing. Keyset-paged on id. */
    listRelaysForTenant: db.prepared<[tenant: string, afterId: string, limit: number], RelayRow>((q, p) =>
      q.selectFrom('relay').selectAll().where('tenant', '=', p(0)).where('id', '>', p(1)).orderBy('id').limit(p(2)),
    ),
    listRelays: db.prepared<[afterId: string, limit: number], RelayRow>((q, p) =>
      q.selectFrom('relay').selectAll().where('id', '>', p(0)).orderBy('id').limit(p(1)),
    ),
    /** Hot path: every relay deactivation (does the tenant still owe a subscription?). */
    hasActivePaidRelays: db.preparedOne<[tenant: string], { one: number }>((q, p) =>
      q
        .selectFrom('relay')
        .select((eb) => eb.lit(1).as('one'))
        .where('tenant', '=', p(0))
        .where('status', '=', 'active')
        .where('plan', 'in', PAID_PLAN_IDS)
        .limit(1),
    ),
    /** Hot path: relay page and sync retry counting. Newest first, keyset on (created_at, id). */
    listActivityForRelay: db.prepared<[relayId: string, beforeCreatedAt: number, beforeId: string, limit: number], ActivityRow>(
      (q, p) =>
        q
          .selectFrom('activity')
          .selectAll()
          .where('resource_type', '=', 'relay')
          .where('resource_id', '=', p(0))
          .where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(p(1), p(2))))
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(p(3)),
    ),
    /** Relay sync: relays the engine may not have in their current state. */
    listUnsyncedRelays: db.prepared<[afterId: string, limit: number], RelayRow>((q, p) =>
      q.selectFrom('relay').selectAll().where('synced', '=', 0).where('id', '>', p(0)).orderBy('id').limit(p(1)),
    ),
    /** Relay sync: has the engine ever confirmed this relay (then it is PATCHed, never POSTed)? */
    hasCompletedRelaySync: db.preparedOne<[relayId: string], { one: number }>((q, p) =>
      q
        .selectFrom('activity')
        .select((eb) => eb.lit(1).as('one'))
        .where('resource_type', '=', 'relay')
        .where('resource_id', '=', p(0))
        .where('activity_type', '=', 'complete_relay_sync')
        .limit(1),
    ),
    getSession: db.preparedOne<[tokenHash: string, now: number], SessionTable>((q, p) =>
      q.selectFrom('session').selectAll().where('token_hash', '=', p(0)).where('expires_at', '>', p(1)),
    ),
    listAdmins: db.prepared<[], { pubkey: string }>((q) => q.selectFrom('admin').select('pubkey').orderBy('pubkey')),
  }
}

export class Queries {
  private readonly s: ReturnType<typeof buildQueries>

  constructor(db: Database) {
    this.s = buildQueries(db)
  }

  getTenant(pubkey: string): Promise<TenantRow | undefined> {
    return this.s.getTenant(pubkey)
  }

  getTenantByStripeCustomerId(customerId: string): Promise<TenantRow | undefined> {
    return this.s.getTenantByStripeCustomerId(customerId)
  }

  listTenants(afterPubkey: string, limit: number): Promise<TenantRow[]> {
    return this.s.listTenants(afterPubkey, limit)
  }

  getRelay(id: string): Promise<RelayRow | undefined> {
    return this.s.getRelay(id)
  }

  async isSubdomainTaken(subdomain: string): Promise<boolean> {
    return (await this.s.getRelayBySubdomain(subdomain)) !== undefined
  }

  listRelaysForTenant(tenant: string, afterId = '', limit = 1000): Promise<RelayRow[]> {
    return this.s.listRelaysForTenant(tenant, afterId, limit)
  }

  listRelays(afterId: string, limit: number): Promise<RelayRow[]> {
    return this.s.listRelays(afterId, limit)
  }

  async hasActivePaidRelays(tenant: string): Promise<boolean> {
    return (await this.s.hasActivePaidRelays(tenant)) !== undefined
  }

  listActivityForRelay(relayId: string, limit: number, before?: { created_at: number; id: string }): Promise<ActivityRow[]> {
    return this.s.listActivityForRelay(relayId, before?.created_at ?? MAX_TIME, before?.id ?? '', limit)
  }

  listUnsyncedRelays(afterId: string, limit: number): Promise<RelayRow[]> {
    return this.s.listUnsyncedRelays(afterId, limit)
  }

  async hasCompletedRelaySync(relayId: string): Promise<boolean> {
    return (await this.s.hasCompletedRelaySync(relayId)) !== undefined
  }

  getSession(tokenHash: string, now: number): Promise<SessionTable | undefined> {
    return this.s.getSession(tokenHash, now)
  }

  async listAdmins(): Promise<string[]> {
    return (await this.s.listAdmins()).map((r) => r.pubkey)
  }
}
