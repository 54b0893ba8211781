// Reads. Every query a request, webhook or worker runs is compiled once here into a prepared statement, and
// each is served by an index (the query-plan test walks them all). Names say what they answer.
import { sql } from 'kysely'
import type { Database } from '../db/database.js'
import type { ActivityRow, InvoicePaymentRow, RelayRow, SessionTable, StripeEventTable, TenantRow } from '../db/schema.js'
import { PAID_PLAN_IDS } from './plans.js'

const MAX_TIME = Number.MAX_SAFE_INTEGER

const RELAY_VIEW_COLUMNS = [
  'id', 'tenant', 'subdomain', 'plan', 'status', 'synced', 'sync_error', 'info_name', 'info_icon', 'info_description',
  'policy_public_join', 'policy_strip_signatures', 'groups_enabled', 'management_enabled', 'blossom_enabled',
  'livekit_enabled', 'push_enabled', 'exempt_kinds', 'created_at', 'updated_at',
] as const

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
    listTenants: db.preparedPage<[afterPubkey: string], TenantRow>((q, p, limit) =>
      q.selectFrom('tenant').selectAll().where('pubkey', '>', p(0)).orderBy('pubkey').limit(limit),
    ),
    searchTenants: db.preparedPage<[from: string, to: string, afterPubkey: string], TenantRow>((q, p, limit) =>
      q
        .selectFrom('tenant')
        .selectAll()
        .where('pubkey', '>=', p(0))
        .where('pubkey', '<', p(1))
        .where('pubkey', '>', p(2))
        .orderBy('pubkey')
        .limit(limit),
    ),
    getRelay: db.preparedOne<[id: string], RelayRow>((q, p) => q.selectFrom('relay').selectAll().where('id', '=', p(0))),
    getRelayBySubdomain: db.preparedOne<[subdomain: string], { id: string }>((q, p) =>
      q.selectFrom('relay').select('id').where('subdomain', '=', p(0)),
    ),
    /** Hot path: API and billing. Keyset-paged on id. */
    listRelaysForTenant: db.preparedPage<[tenant: string, afterId: string], RelayRow>((q, p, limit) =>
      q.selectFrom('relay').selectAll().where('tenant', '=', p(0)).where('id', '>', p(1)).orderBy('id').limit(limit),
    ),
    /** The API's page of a tenant's relays: the columns a relay view shows, never the secret. */
    // Dashboards ask for this page over and over while it rarely changes: results are reused until the next commit.
    listRelayViewsForTenant: db.preparedPage<[tenant: string, afterId: string], Omit<RelayRow, 'secret'>>(
      (q, p, limit) => q.selectFrom('relay').select(RELAY_VIEW_COLUMNS).where('tenant', '=', p(0)).where('id', '>', p(1)).orderBy('id').limit(limit),
      { cacheEntries: 10_000 },
    ),
    listRelays: db.preparedPage<[afterId: string], RelayRow>((q, p, limit) =>
      q.selectFrom('relay').selectAll().where('id', '>', p(0)).orderBy('id').limit(limit),
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
    listActivityForRelay: db.preparedPage<[relayId: string, beforeCreatedAt: number, beforeId: string], ActivityRow>(
      (q, p, limit) =>
        q
          .selectFrom('activity')
          .selectAll()
          .where('resource_type', '=', 'relay')
          .where('resource_id', '=', p(0))
          .where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(p(1), p(2))))
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit),
    ),
    /** Relay sync: relays the engine may not have in their current state. */
    listUnsyncedRelays: db.preparedPage<[afterId: string], RelayRow>((q, p, limit) =>
      q.selectFrom('relay').selectAll().where('synced', '=', 0).where('id', '>', p(0)).orderBy('id').limit(limit),
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
    /** Billing grace worker: tenants past due since before the cutoff, keyset on (past_due_at, pubkey). */
    listTenantsPastDueBefore: db.preparedPage<[cutoff: number, afterAt: number, afterPubkey: string], TenantRow>((q, p, limit) =>
      q
        .selectFrom('tenant')
        .selectAll()
        .where('past_due_at', '<=', p(0))
        .where((eb) => eb(eb.refTuple('past_due_at', 'pubkey'), '>', eb.tuple(p(1), p(2))))
        .orderBy('past_due_at')
        .orderBy('pubkey')
        .limit(limit),
    ),
    /** Billing start-up reconcile: tenants holding a subscription, keyset on the subscription id. */
    listTenantsWithSubscription: db.preparedPage<[afterSubscription: string], TenantRow>((q, p, limit) =>
      q.selectFrom('tenant').selectAll().where('stripe_subscription_id', '>', p(0)).orderBy('stripe_subscription_id').limit(limit),
    ),
    /** Billing start-up reconcile: active relays (keyset on id), to find tenants with paid relays. */
    listActiveRelays: db.preparedPage<[afterId: string], RelayRow>((q, p, limit) =>
      q.selectFrom('relay').selectAll().where('status', '=', 'active').where('id', '>', p(0)).orderBy('id').limit(limit),
    ),
    /** A tenant's relays in one status (grace worker: active; payment: delinquent). */
    listRelaysForTenantByStatus: db.prepared<[tenant: string, status: string], RelayRow>((q, p) =>
      q.selectFrom('relay').selectAll().where('tenant', '=', p(0)).where('status', '=', p(1)),
    ),
    /** Stripe webhook worker: events received but not yet applied, oldest first. */
    listUnprocessedStripeEvents: db.preparedPage<[], StripeEventTable>((q, _p, limit) =>
      q.selectFrom('stripe_event').selectAll().where('processed_at', 'is', null).orderBy('received_at').limit(limit),
    ),
    getInvoicePayment: db.preparedOne<[invoiceId: string], InvoicePaymentRow>((q, p) =>
      q.selectFrom('invoice_nwc_payment').selectAll().where('invoice_id', '=', p(0)),
    ),
    /** Lightning check: payments not settled yet, least recently touched first. */
    listPendingInvoicePayments: db.preparedPage<[], InvoicePaymentRow>((q, _p, limit) =>
      q.selectFrom('invoice_nwc_payment').selectAll().where('state', '=', 'pending').orderBy('updated_at').limit(limit),
    ),
    getSession: db.preparedOne<[tokenHash: string, now: number], SessionTable>((q, p) =>
      q.selectFrom('session').selectAll().where('token_hash', '=', p(0)).where('expires_at', '>', p(1)),
    ),
    listAdmins: db.prepared<[], { pubkey: string }>((q) => q.selectFrom('admin').select('pubkey').orderBy('pubkey')),
    /** Placement: how many relays an engine serves (least-loaded choice, GET /engines). */
    countRelaysOnEngine: db.preparedOne<[engine: string], { n: number | string }>((q, p) =>
      q.selectFrom('relay').select((eb) => eb.fn.countAll().as('n')).where('engine', '=', p(0)),
    ),
    /** The robot dials a hosted relay at its engine's address. */
    getRelayEngineBySubdomain: db.preparedOne<[subdomain: string], { engine: string | null }>((q, p) =>
      q.selectFrom('relay').select('engine').where('subdomain', '=', p(0)),
    ),
    /** The reverse proxy's map: every relay's subdomain and engine, in subdomain order. */
    listRelayPlacements: db.preparedPage<[afterSubdomain: string], { subdomain: string; engine: string | null }>((q, p, limit) =>
      q.selectFrom('relay').select(['subdomain', 'engine']).where('subdomain', '>', p(0)).orderBy('subdomain').limit(limit),
    ),
    /** Moves that showed no progress since the cutoff (their process died): to be undone. */
    listStalledRelayMoves: db.preparedPage<[cutoffMs: number], RelayRow>((q, p, limit) =>
      q.selectFrom('relay').selectAll().where('move_heartbeat_at', '<', p(0)).orderBy('move_heartbeat_at').limit(limit),
    ),
  }
}

export interface RelayFilter {
  /** Only this tenant's relays. */
  tenant?: string
  status?: RelayRow['status']
  plan?: string
  /** `error`: the last sync failed; `pending`: not yet synced, no error; `ok`: synced. */
  sync?: 'error' | 'pending' | 'ok'
  /** Subdomain prefix; results are then ordered by subdomain instead of id. */
  q?: string
}

export class Queries {
  private readonly s: ReturnType<typeof buildQueries>

  constructor(private readonly db: Database) {
    this.s = buildQueries(db)
  }

  getTenant(pubkey: string): Promise<TenantRow | undefined> {
    return this.s.getTenant(pubkey)
  }

  getTenantByStripeCustomerId(customerId: string): Promise<TenantRow | undefined> {
    return this.s.getTenantByStripeCustomerId(customerId)
  }

  listTenants(afterPubkey: string, limit: number): Promise<TenantRow[]> {
    return this.s.listTenants(limit, afterPubkey)
  }

  getRelay(id: string): Promise<RelayRow | undefined> {
    return this.s.getRelay(id)
  }

  async isSubdomainTaken(subdomain: string): Promise<boolean> {
    return (await this.s.getRelayBySubdomain(subdomain)) !== undefined
  }

  listRelaysForTenant(tenant: string, afterId = '', limit = 1000): Promise<RelayRow[]> {
    return this.s.listRelaysForTenant(limit, tenant, afterId)
  }

  listRelayViewsForTenant(tenant: string, afterId: string, limit: number): Promise<Omit<RelayRow, 'secret'>[]> {
    return this.s.listRelayViewsForTenant(limit, tenant, afterId)
  }

  listRelays(afterId: string, limit: number): Promise<RelayRow[]> {
    return this.s.listRelays(limit, afterId)
  }

  /**
   * The admin's filtered relay list. Built per call (an admin screen, not a hot path); each filter is served
   * by an index ordered like the keyset: (status, id), (plan, id), (synced, id), or the subdomain index.
   */
  listRelaysFiltered(filter: RelayFilter, after: string, limit: number): Promise<RelayRow[]> {
    const search = filter.q !== undefined
    const key = search ? 'subdomain' : 'id'
    // In prefix search the subdomain index must drive (it gives the order); the other filters are wrapped in
    // expressions so the planner applies them as residual checks instead of sorting another index's range.
    const text = (col: 'tenant' | 'status' | 'plan' | 'sync_error') => (search ? sql<string>`(${sql.ref(col)} || '')` : sql.ref(col))
    const int = (col: 'synced') => (search ? sql<number>`(${sql.ref(col)} + 0)` : sql.ref(col))
    let query = this.db.q.selectFrom('relay').selectAll().where(key, '>', after)
    if (search) query = query.where('subdomain', '>=', filter.q!).where('subdomain', '<', `${filter.q}\u{10ffff}`)
    if (filter.tenant) query = query.where(text('tenant'), '=', filter.tenant)
    if (filter.status) query = query.where(text('status'), '=', filter.status)
    if (filter.plan) query = query.where(text('plan'), '=', filter.plan)
    if (filter.sync === 'ok') query = query.where(int('synced'), '=', 1)
    if (filter.sync === 'pending') query = query.where(int('synced'), '=', 0).where(text('sync_error'), '=', '')
    if (filter.sync === 'error') query = query.where(int('synced'), '=', 0).where(text('sync_error'), '!=', '')
    return this.db.all(query.orderBy(key).limit(limit))
  }

  /** The admin's tenant search: a pubkey prefix (hex), ordered by pubkey. */
  searchTenants(prefix: string, afterPubkey: string, limit: number): Promise<TenantRow[]> {
    return this.s.searchTenants(limit, prefix, `${prefix}\u{10ffff}`, afterPubkey)
  }

  async hasActivePaidRelays(tenant: string): Promise<boolean> {
    return (await this.s.hasActivePaidRelays(tenant)) !== undefined
  }

  listActivityForRelay(relayId: string, limit: number, before?: { created_at: number; id: string }): Promise<ActivityRow[]> {
    return this.s.listActivityForRelay(limit, relayId, before?.created_at ?? MAX_TIME, before?.id ?? '')
  }

  listUnsyncedRelays(afterId: string, limit: number): Promise<RelayRow[]> {
    return this.s.listUnsyncedRelays(limit, afterId)
  }

  async hasCompletedRelaySync(relayId: string): Promise<boolean> {
    return (await this.s.hasCompletedRelaySync(relayId)) !== undefined
  }

  listTenantsPastDueBefore(cutoff: number, after: { at: number; pubkey: string } | undefined, limit: number): Promise<TenantRow[]> {
    return this.s.listTenantsPastDueBefore(limit, cutoff, after?.at ?? -1, after?.pubkey ?? '')
  }

  listTenantsWithSubscription(afterSubscription: string, limit: number): Promise<TenantRow[]> {
    return this.s.listTenantsWithSubscription(limit, afterSubscription)
  }

  listActiveRelays(afterId: string, limit: number): Promise<RelayRow[]> {
    return this.s.listActiveRelays(limit, afterId)
  }

  listRelaysForTenantByStatus(tenant: string, status: RelayRow['status']): Promise<RelayRow[]> {
    return this.s.listRelaysForTenantByStatus(tenant, status)
  }

  listUnprocessedStripeEvents(limit: number): Promise<StripeEventTable[]> {
    return this.s.listUnprocessedStripeEvents(limit)
  }

  getInvoicePayment(invoiceId: string): Promise<InvoicePaymentRow | undefined> {
    return this.s.getInvoicePayment(invoiceId)
  }

  listPendingInvoicePayments(limit: number): Promise<InvoicePaymentRow[]> {
    return this.s.listPendingInvoicePayments(limit)
  }

  getSession(tokenHash: string, now: number): Promise<SessionTable | undefined> {
    return this.s.getSession(tokenHash, now)
  }

  async listAdmins(): Promise<string[]> {
    return (await this.s.listAdmins()).map((r) => r.pubkey)
  }

  async countRelaysOnEngine(engine: string): Promise<number> {
    return Number((await this.s.countRelaysOnEngine(engine))?.n ?? 0)
  }

  /** The engine a hosted relay is placed on: undefined = no such relay, null = not placed yet (the first engine). */
  async getRelayEngineBySubdomain(subdomain: string): Promise<string | null | undefined> {
    return (await this.s.getRelayEngineBySubdomain(subdomain))?.engine
  }

  listRelayPlacements(afterSubdomain: string, limit: number): Promise<{ subdomain: string; engine: string | null }[]> {
    return this.s.listRelayPlacements(limit, afterSubdomain)
  }

  listStalledRelayMoves(cutoffMs: number, limit: number): Promise<RelayRow[]> {
    return this.s.listStalledRelayMoves(limit, cutoffMs)
  }

  /**
   * Engines that relays are placed on, besides `known` (the configured ones). Walks the (engine, id) index one
   * distinct name at a time, so it reads one row per engine, not per relay.
   */
  async listUnknownPlacements(known: readonly string[]): Promise<string[]> {
    const unknown: string[] = []
    let after = ''
    for (;;) {
      const next = await this.db.first(
        this.db.q.selectFrom('relay').select('engine').where('engine', '>', after).orderBy('engine').limit(1),
      )
      if (!next || next.engine === null) return unknown
      if (!known.includes(next.engine)) unknown.push(next.engine)
      after = next.engine
    }
  }
}
