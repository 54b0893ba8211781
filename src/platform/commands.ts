// Writes. Each command commits its change together with an activity row (with the relay's plan/status
// snapshot) in one transaction, and publishes the activity on the bus only after the commit.
import { bytesToHex } from 'nostr-tools/utils'
import { generateSecretKey } from 'nostr-tools/pure'
import type { Database, Tx } from '../db/database.js'
import type { ActivityRow, RelayRow, TenantRow } from '../db/schema.js'
import type { ActivityBus } from './activity-bus.js'
import { ACTIVITY_CHANNEL, activityPayload } from './activity-feed.js'
import { DomainError, notFound } from './errors.js'
import { nowSeconds, randomId, sortableId } from './ids.js'
import type { Plans } from './plans.js'
import type { SecretBox } from './secret-box.js'
import { assertHttpUrl, assertPlanAllows, normalizeExemptKinds, subdomainProblem } from './validation.js'
import { parseWalletConnectUri } from './wallet-connect-uri.js'

export type ActivityType =
  | 'create_tenant'
  | 'update_tenant'
  | 'create_relay'
  | 'update_relay'
  | 'activate_relay'
  | 'deactivate_relay'
  | 'mark_relay_delinquent'
  | 'fail_relay_sync'
  | 'complete_relay_sync'
  | 'move_relay'

export interface RelayInput {
  subdomain: string
  plan: string
  info_name?: string
  info_icon?: string
  info_description?: string
  policy_public_join?: boolean
  policy_strip_signatures?: boolean
  groups_enabled?: boolean
  management_enabled?: boolean
  blossom_enabled?: boolean
  livekit_enabled?: boolean
  push_enabled?: boolean
  /** The engine to place it on (admins); default: the one serving the fewest relays. */
  engine?: string
}

export type RelayPatch = Partial<Omit<RelayInput, 'subdomain' | 'engine'>> & { exempt_kinds?: number[] | null }

const RELAY_FLAGS = [
  'policy_public_join',
  'policy_strip_signatures',
  'groups_enabled',
  'management_enabled',
  'blossom_enabled',
  'livekit_enabled',
  'push_enabled',
] as const

/** Signals (no payload) for instances that cache sessions or admin flags: drop what you cached. */
export const SESSIONS_ENDED_SIGNAL = 'sessions-ended'
export const ADMINS_CHANGED_SIGNAL = 'admins-changed'

export type RecordActivity = (type: ActivityType, resource: { tenant: string; relay?: RelayRow }, detail?: string) => Promise<void>

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505'
}

export class Commands {
  constructor(
    private readonly db: Database,
    private readonly bus: ActivityBus,
    private readonly plans: Plans,
    private readonly box: SecretBox,
    /** The configured engines' names, in order (placement). */
    private readonly engines: readonly string[],
  ) {}

  /** Runs `fn` in a transaction that records activities; publishes them after commit. */
  async write<T>(fn: (tx: Tx, record: RecordActivity) => T | Promise<T>): Promise<T> {
    const outbox: ActivityRow[] = []
    const result = await this.db.transaction(async (tx) => {
      const record: RecordActivity = async (type, { tenant, relay }, detail) => {
        const row: ActivityRow = {
          id: sortableId(),
          tenant,
          created_at: nowSeconds(),
          activity_type: type,
          resource_type: relay ? 'relay' : 'tenant',
          resource_id: relay ? relay.id : tenant,
          relay_plan: relay?.plan ?? null,
          relay_status: relay?.status ?? null,
          detail: detail ?? null,
        }
        await tx.run(tx.q.insertInto('activity').values(row))
        // The other instances hear of it on commit (PostgreSQL; on SQLite there are none).
        if (this.db.kind === 'postgres') await tx.notify(ACTIVITY_CHANNEL, activityPayload(row))
        outbox.push(row)
      }
      return fn(tx, record)
    })
    for (const activity of outbox) this.bus.publish(activity)
    return result
  }

  private async ensureTenantIn(tx: Tx, record: RecordActivity, pubkey: string): Promise<{ tenant: TenantRow; created: boolean }> {
    const inserted = await tx.run(
      tx.q
        .insertInto('tenant')
        .values({ pubkey, created_at: nowSeconds() })
        .onConflict((oc) => oc.column('pubkey').doNothing()),
    )
    if (inserted === 1) await record('create_tenant', { tenant: pubkey })
    const tenant = (await tx.first(tx.q.selectFrom('tenant').selectAll().where('pubkey', '=', pubkey)))!
    return { tenant, created: inserted === 1 }
  }

  /** Create-or-get: safe to call twice at once; exactly one `create_tenant` is recorded. */
  ensureTenant(pubkey: string): Promise<{ tenant: TenantRow; created: boolean }> {
    return this.write(async (tx, record) => this.ensureTenantIn(tx, record, pubkey))
  }

  /** Sets or clears the tenant's wallet-connect URI (validated, encrypted at rest). */
  setTenantWallet(pubkey: string, nwcUrl: string | null): Promise<TenantRow> {
    const sealed = nwcUrl === null || nwcUrl === '' ? null : this.box.seal(parseWalletConnectUri(nwcUrl).uri)
    return this.write(async (tx, record) => {
      const changed = await tx.run(
        tx.q.updateTable('tenant').set({ nwc_url: sealed, nwc_error: null }).where('pubkey', '=', pubkey),
      )
      if (changed === 0) throw notFound('tenant')
      await record('update_tenant', { tenant: pubkey })
      return (await tx.first(tx.q.selectFrom('tenant').selectAll().where('pubkey', '=', pubkey)))!
    })
  }

  async createRelay(tenant: string, input: RelayInput): Promise<RelayRow> {
    const problem = subdomainProblem(input.subdomain)
    if (problem) throw problem
    const plan = this.plans.get(input.plan)
    if (!plan) throw new DomainError(422, 'unknown-plan', `unknown plan "${input.plan}"`)
    assertPlanAllows(plan, input)
    if (input.info_icon) assertHttpUrl('info_icon', input.info_icon)
    if (input.engine !== undefined && !this.engines.includes(input.engine)) {
      throw new DomainError(422, 'unknown-engine', `unknown engine "${input.engine}"; configured: ${this.engines.join(', ')}`)
    }
    const now = nowSeconds()
    const row: RelayRow = {
      id: randomId(),
      tenant,
      subdomain: input.subdomain,
      plan: plan.id,
      status: 'active',
      synced: 0,
      sync_error: '',
      info_name: input.info_name ?? '',
      info_icon: input.info_icon ?? '',
      info_description: input.info_description ?? '',
      policy_public_join: 0,
      policy_strip_signatures: 0,
      groups_enabled: 0,
      management_enabled: 0,
      blossom_enabled: 0,
      livekit_enabled: 0,
      push_enabled: 0,
      exempt_kinds: null,
      engine: input.engine ?? null,
      move_target: null,
      move_heartbeat_at: null,
      secret: this.box.seal(bytesToHex(generateSecretKey())),
      created_at: now,
      updated_at: now,
    }
    for (const flag of RELAY_FLAGS) row[flag] = input[flag] ? 1 : 0
    try {
      return await this.write(async (tx, record) => {
        await this.ensureTenantIn(tx, record, tenant)
        const taken = await tx.first(tx.q.selectFrom('relay').select('id').where('subdomain', '=', row.subdomain))
        if (taken) throw subdomainExists(row.subdomain)
        // Counted inside the transaction, so relays created at once still spread (SQLite serialises writers).
        row.engine ??= await this.leastLoadedEngine(tx)
        await tx.run(tx.q.insertInto('relay').values(row))
        await record('create_relay', { tenant, relay: row })
        return row
      })
    } catch (err) {
      if (isUniqueViolation(err)) throw subdomainExists(row.subdomain)
      throw err
    }
  }

  /** Updates mutable fields; the relay becomes unsynced until the engine has the change. */
  updateRelay(id: string, patch: RelayPatch): Promise<RelayRow> {
    if (patch.info_icon) assertHttpUrl('info_icon', patch.info_icon)
    return this.write(async (tx, record) => {
      const current = await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', id))
      if (!current) throw notFound('relay')
      const next: RelayRow = { ...current, synced: 0, updated_at: nowSeconds() }
      if (patch.plan !== undefined) {
        const plan = this.plans.get(patch.plan)
        if (!plan) throw new DomainError(422, 'unknown-plan', `unknown plan "${patch.plan}"`)
        next.plan = plan.id
      }
      for (const field of ['info_name', 'info_icon', 'info_description'] as const) {
        if (patch[field] !== undefined) next[field] = patch[field]
      }
      for (const flag of RELAY_FLAGS) if (patch[flag] !== undefined) next[flag] = patch[flag] ? 1 : 0
      if (patch.exempt_kinds !== undefined) next.exempt_kinds = patch.exempt_kinds === null ? null : JSON.stringify(normalizeExemptKinds(patch.exempt_kinds))
      assertPlanAllows(this.plans.get(next.plan)!, { blossom_enabled: next.blossom_enabled === 1, livekit_enabled: next.livekit_enabled === 1 })
      // Placement and moves are never written from here: a move switching the engine meanwhile must not be undone.
      const { id: _id, tenant: _t, subdomain: _s, secret: _secret, created_at: _c, engine: _e, move_target: _m, move_heartbeat_at: _h, ...changes } = next
      await tx.run(tx.q.updateTable('relay').set(changes).where('id', '=', id))
      await record('update_relay', { tenant: current.tenant, relay: next })
      return next
    })
  }

  /** Deactivation by the tenant or an admin; never undone by billing. */
  deactivateRelay(id: string): Promise<RelayRow> {
    return this.setStatus(id, 'deactivate_relay', (current) => {
      if (current.status !== 'active') {
        throw new DomainError(400, 'relay-is-inactive', 'the relay is already inactive')
      }
      return 'inactive'
    })
  }

  /** Reactivation. A delinquent relay comes back when its tenant pays; only an admin may force it. */
  activateRelay(id: string, options: { byAdmin: boolean }): Promise<RelayRow> {
    return this.setStatus(id, 'activate_relay', (current) => {
      if (current.status === 'active') throw new DomainError(400, 'relay-is-active', 'the relay is already active')
      if (current.status === 'delinquent' && !options.byAdmin) {
        throw new DomainError(409, 'relay-is-delinquent', 'the relay is suspended for non-payment; paying the open invoice reactivates it')
      }
      return 'active'
    })
  }

  private setStatus(id: string, type: ActivityType, decide: (current: RelayRow) => RelayRow['status']): Promise<RelayRow> {
    return this.write(async (tx, record) => {
      const current = await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', id))
      if (!current) throw notFound('relay')
      return this.changeStatusIn(tx, record, current, decide(current), type)
    })
  }

  /** A status change inside an open transaction (the relay becomes unsynced until the engine has it). */
  async changeStatusIn(tx: Tx, record: RecordActivity, current: RelayRow, status: RelayRow['status'], type: ActivityType, detail?: string): Promise<RelayRow> {
    const next: RelayRow = { ...current, status, synced: 0, updated_at: nowSeconds() }
    await tx.run(tx.q.updateTable('relay').set({ status, synced: 0, updated_at: next.updated_at }).where('id', '=', current.id))
    await record(type, { tenant: current.tenant, relay: next }, detail)
    return next
  }

  /** Suspension for non-payment (billing's grace period ran out); payment brings it back. */
  markRelayDelinquent(id: string): Promise<RelayRow | undefined> {
    return this.write(async (tx, record) => {
      const current = await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', id))
      if (!current || current.status !== 'active') return undefined
      return this.changeStatusIn(tx, record, current, 'delinquent', 'mark_relay_delinquent')
    })
  }

  /** The engine has the relay as it is now: `synced = 1`, error cleared. */
  completeRelaySync(id: string): Promise<RelayRow | undefined> {
    return this.write(async (tx, record) => {
      const current = await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', id))
      if (!current) return undefined
      const next: RelayRow = { ...current, synced: 1, sync_error: '' }
      await tx.run(tx.q.updateTable('relay').set({ synced: 1, sync_error: '' }).where('id', '=', id))
      await record('complete_relay_sync', { tenant: current.tenant, relay: next })
      return next
    })
  }

  /** The engine refused or could not be reached; the error is kept for the tenant and the retry schedule. */
  failRelaySync(id: string, error: string): Promise<RelayRow | undefined> {
    const message = error.slice(0, 500)
    return this.write(async (tx, record) => {
      const current = await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', id))
      if (!current) return undefined
      const next: RelayRow = { ...current, synced: 0, sync_error: message }
      await tx.run(tx.q.updateTable('relay').set({ synced: 0, sync_error: message }).where('id', '=', id))
      await record('fail_relay_sync', { tenant: current.tenant, relay: next }, message)
      return next
    })
  }

  /** The engine serving the fewest relays; ties go to the one configured first. */
  private async leastLoadedEngine(tx: Tx): Promise<string> {
    let best = { name: this.engines[0]!, count: Infinity }
    for (const name of this.engines) {
      const row = await tx.first(tx.q.selectFrom('relay').select((eb) => eb.fn.countAll().as('n')).where('engine', '=', name))
      const count = Number(row?.n ?? 0)
      if (count < best.count) best = { name, count }
    }
    return best.name
  }

  /** Start-up: relays written before placement existed are on the first configured engine. */
  placeUnplacedRelays(): Promise<number> {
    return this.db.transaction(async (tx) => await tx.run(tx.q.updateTable('relay').set({ engine: this.engines[0]! }).where('engine', 'is', null)))
  }

  /**
   * Claims a relay for a move to `target` (relay sync leaves it alone until the claim is released). Refused when
   * it is already there (409 `already-on-engine`) or another move holds it (409 `move-in-progress`).
   */
  startRelayMove(id: string, target: string, nowMs: number): Promise<RelayRow> {
    return this.db.transaction(async (tx) => {
      const current = await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', id))
      if (!current) throw notFound('relay')
      if ((current.engine ?? this.engines[0]) === target) throw new DomainError(409, 'already-on-engine', `the relay is already on engine "${target}"`)
      const claimed = await tx.run(
        tx.q.updateTable('relay').set({ move_target: target, move_heartbeat_at: nowMs }).where('id', '=', id).where('move_target', 'is', null),
      )
      if (claimed === 0) throw new DomainError(409, 'move-in-progress', 'this relay is already being moved')
      return { ...current, move_target: target, move_heartbeat_at: nowMs }
    })
  }

  /** A running move shows progress; false when its claim was taken away (undone as stalled). */
  heartbeatRelayMove(id: string, target: string, previousMs: number, nowMs: number): Promise<boolean> {
    return this.db.transaction(
      async (tx) =>
        (await tx.run(
          tx.q
            .updateTable('relay')
            .set({ move_heartbeat_at: nowMs })
            .where('id', '=', id)
            .where('move_target', '=', target)
            .where('move_heartbeat_at', '=', previousMs),
        )) === 1,
    )
  }

  /**
   * The switch: the relay is served by `target` from now on (`move_relay`, detail = what was moved). Undefined
   * when the claim (`heartbeatMs`) is no longer this move's.
   */
  finishRelayMove(id: string, target: string, heartbeatMs: number, detail: string): Promise<RelayRow | undefined> {
    return this.write(async (tx, record) => {
      const current = await tx.first(tx.q.selectFrom('relay').selectAll().where('id', '=', id))
      if (!current || current.move_target !== target || current.move_heartbeat_at !== heartbeatMs) return undefined
      const next: RelayRow = { ...current, engine: target, move_target: null, move_heartbeat_at: null }
      await tx.run(tx.q.updateTable('relay').set({ engine: target, move_target: null, move_heartbeat_at: null }).where('id', '=', id))
      await record('move_relay', { tenant: current.tenant, relay: next }, detail)
      return next
    })
  }

  /**
   * Releases a move's claim without switching (it failed or stalled). The relay is marked unsynced so relay sync
   * puts it back on its engine as it should be, whatever the move had done there.
   */
  abandonRelayMove(id: string, target: string, heartbeatMs: number): Promise<boolean> {
    return this.db.transaction(
      async (tx) =>
        (await tx.run(
          tx.q
            .updateTable('relay')
            .set({ move_target: null, move_heartbeat_at: null, synced: 0 })
            .where('id', '=', id)
            .where('move_target', '=', target)
            .where('move_heartbeat_at', '=', heartbeatMs),
        )) === 1,
    )
  }

  createSession(tokenHash: string, pubkey: string, ttlSeconds: number): Promise<void> {
    const now = nowSeconds()
    return this.db.transaction(async (tx) => {
      await tx.run(tx.q.insertInto('session').values({ token_hash: tokenHash, pubkey, created_at: now, expires_at: now + ttlSeconds }))
    })
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(tx.q.deleteFrom('session').where('token_hash', '=', tokenHash))
    })
    // Instances that cached the session drop it (this one too).
    this.bus.signal(SESSIONS_ENDED_SIGNAL)
  }

  deleteExpiredSessions(now = nowSeconds()): Promise<number> {
    return this.db.transaction(async (tx) => await tx.run(tx.q.deleteFrom('session').where('expires_at', '<=', now)))
  }

  async addAdmin(pubkey: string): Promise<boolean> {
    const added = await this.db.transaction(
      async (tx) =>
        await tx.run(
          tx.q
            .insertInto('admin')
            .values({ pubkey, created_at: nowSeconds() })
            .onConflict((oc) => oc.column('pubkey').doNothing()),
        ) === 1,
    )
    this.bus.signal(ADMINS_CHANGED_SIGNAL)
    return added
  }

  async removeAdmin(pubkey: string): Promise<boolean> {
    const removed = await this.db.transaction(async (tx) => await tx.run(tx.q.deleteFrom('admin').where('pubkey', '=', pubkey)) === 1)
    this.bus.signal(ADMINS_CHANGED_SIGNAL)
    return removed
  }
}

function subdomainExists(subdomain: string): DomainError {
  return new DomainError(409, 'subdomain-exists', `the subdomain "${subdomain}" is already taken`)
}
