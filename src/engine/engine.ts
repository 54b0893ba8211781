// The engine's relay registry: loads relays from the catalog, dispatches hosts to them, and applies the
// management API's config changes synchronously and live (engine.md §4.4). Loading a relay reads only its
// config; its database opens on first use and at most `maxOpenRelays` idle ones stay open (StorePool).
import fs from 'node:fs'
import type { Logger } from '../log.js'
import { Catalog, type CatalogEntry } from './catalog.js'
import { membersOf, MEMBER_LIST_KIND } from './nip43.js'
import { APP_DATA_KIND } from './bans.js'
import { InviteRequestError, listInviteViews, readManagedInvites, type InviteView } from './invites.js'
import { JoinLog, memberDetail, type MemberDetail } from './joins.js'
import { nowSeconds, VirtualRelay } from './relay.js'
import {
  checkImmutable,
  ConfigError,
  configuredMembers,
  decodeRelayConfig,
  mergePatch,
  renderRelayConfig,
  selfPubkey,
  stripPort,
  type RelayConfig,
} from './relay-config.js'
import { defaultMaxOpenRelays } from './config.js'
import { RelayStore, relayDbFile, removeRelayDbFiles } from './store.js'
import { StorePool } from './store-pool.js'
import { dailyStats, databaseBytes, dayOf, eventsTotal, type RelayStats } from './stats.js'
import { exportEvents, importEvents, openExportCursor, type ExportCursor, type ImportOptions, type ImportSummary } from './transfer.js'

/** An API failure with its HTTP status and `{"error": message}` text. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export interface EngineStorageOptions {
  /** Most relay databases kept open; default derived from the open-files limit (config.ts). */
  maxOpenRelays?: number
}

export class Engine {
  readonly catalog: Catalog
  /** The open relay databases, least recently used first. */
  readonly stores: StorePool
  private readonly relays = new Map<string, VirtualRelay>()
  private readonly byHost = new Map<string, VirtualRelay>()

  constructor(
    readonly dataDir: string,
    /** Lower-cased API host, '' when the API is not mounted; relays may not claim it. Final once listening. */
    public apiHost: string,
    readonly log: Logger,
    options: EngineStorageOptions = {},
  ) {
    this.stores = new StorePool(options.maxOpenRelays ?? defaultMaxOpenRelays(), log)
    this.catalog = new Catalog(dataDir)
  }

  /** How many relay databases are open now (never more than the maximum while some are idle). */
  get openStores(): number {
    return this.stores.size
  }

  /** Loads every active relay's config from the catalog (restart); no relay database is opened. */
  loadAll(): void {
    for (const entry of this.catalog.listConfigured()) {
      if (entry.status === 'active' && entry.config) this.load(entry.id, entry.config)
    }
  }

  get loadedRelays(): IterableIterator<VirtualRelay> {
    return this.relays.values()
  }

  /** §2.1: the relay whose host equals H, or failing that H without its port. */
  relayForHost(host: string): VirtualRelay | undefined {
    return this.byHost.get(host) ?? this.byHost.get(stripPort(host))
  }

  private load(id: string, config: RelayConfig): VirtualRelay {
    const file = relayDbFile(this.dataDir, id)
    const source = { open: () => new RelayStore(file), pool: this.stores }
    const relay = new VirtualRelay(id, config, source, this.log, (next) => this.catalog.save(id, next))
    this.relays.set(id, relay)
    this.byHost.set(config.host, relay)
    return relay
  }

  private unload(id: string, reason: string): void {
    const relay = this.relays.get(id)
    if (!relay) return
    this.relays.delete(id)
    if (this.byHost.get(relay.config.host) === relay) this.byHost.delete(relay.config.host)
    relay.close(reason)
  }

  /** Commits a config to the catalog, then makes it live before the caller answers. */
  private apply(id: string, config: RelayConfig): void {
    this.catalog.save(id, config)
    const loaded = this.relays.get(id)
    if (config.inactive) return this.unload(id, 'relay is inactive')
    if (!loaded) {
      // Created or re-activated: open now, so configured members are stored before the caller answers.
      const relay = this.load(id, config)
      try {
        relay.ensureOpen()
      } catch (err) {
        this.unload(id, 'relay unavailable')
        throw err
      }
      return
    }
    if (loaded.config.host !== config.host) {
      this.byHost.delete(loaded.config.host)
      this.byHost.set(config.host, loaded)
    }
    loaded.setConfig(config)
  }

  private configured(id: string): CatalogEntry & { config: RelayConfig } {
    const entry = this.catalog.get(id)
    if (!entry || entry.status === 'deleted' || !entry.config) throw new ApiError(404, 'relay not found')
    return entry as CatalogEntry & { config: RelayConfig }
  }

  private decode(input: unknown): RelayConfig {
    try {
      return decodeRelayConfig(input, this.apiHost)
    } catch (err) {
      if (err instanceof ConfigError) throw new ApiError(400, err.message)
      throw err
    }
  }

  private checkUnique(id: string, config: RelayConfig): void {
    if (this.catalog.schemaOwner(config.schema, id)) throw new ApiError(409, `schema "${config.schema}" is already in use`)
    if (this.catalog.hostOwner(config.host, id)) throw new ApiError(409, `host "${config.host}" is already in use`)
  }

  /** Throws 409 when `id` is configured (POST), before the body is decoded. */
  assertCreatable(id: string): void {
    const entry = this.catalog.get(id)
    if (entry && entry.status !== 'deleted') throw new ApiError(409, 'relay with this id already exists')
  }

  /** Throws 404 unless `id` is configured (PUT, PATCH, DELETE, members), before the body is decoded. */
  assertExists(id: string): void {
    this.configured(id)
  }

  createRelay(id: string, input: unknown): void {
    this.assertCreatable(id)
    const config = this.decode(input)
    this.checkUnique(id, config)
    this.apply(id, config)
  }

  replaceRelay(id: string, input: unknown): void {
    const previous = this.configured(id).config
    const config = this.decode(input)
    this.checkImmutable(previous, config)
    this.checkUnique(id, config)
    this.apply(id, config)
  }

  patchRelay(id: string, patch: unknown): void {
    const previous = this.configured(id).config
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new ApiError(400, 'invalid json: expected a JSON object')
    }
    const config = this.decode(mergePatch(renderRelayConfig(previous), patch as Record<string, unknown>))
    this.checkImmutable(previous, config)
    this.checkUnique(id, config)
    this.apply(id, config)
  }

  private checkImmutable(previous: RelayConfig, next: RelayConfig): void {
    try {
      checkImmutable(previous, next)
    } catch (err) {
      if (err instanceof ConfigError) throw new ApiError(400, err.message)
      throw err
    }
  }

  /** DELETE: unloads and forgets the config; data is kept unless `purge` (then also for retained-only ids). */
  deleteRelay(id: string, purge: boolean): void {
    const entry = this.catalog.get(id)
    if (!entry || (entry.status === 'deleted' && !purge)) throw new ApiError(404, 'relay not found')
    this.unload(id, 'relay deleted')
    if (purge) {
      removeRelayDbFiles(this.dataDir, id)
      this.catalog.remove(id)
    } else {
      this.catalog.markDeleted(id)
    }
  }

  /** Members ∪ self ∪ owner ∪ role pubkeys, sorted; works for inactive relays too. */
  listMembers(id: string): string[] {
    const { config } = this.configured(id)
    const self = selfPubkey(config)
    const all = configuredMembers(config, self)
    const loaded = this.relays.get(id)
    if (loaded) for (const pk of loaded.members) all.add(pk)
    else {
      const file = relayDbFile(this.dataDir, id)
      if (fs.existsSync(file)) {
        const store = new RelayStore(file)
        try {
          for (const pk of membersOf(store.getAddress(self, MEMBER_LIST_KIND, ''))) all.add(pk)
        } finally {
          store.close()
        }
      }
    }
    return [...all].sort()
  }

  // ---- Caravel: how members joined, managed invites ----

  /** `members?detail=true`: listMembers with how and when each joined (null where not recorded). */
  listMemberDetails(id: string): MemberDetail[] {
    const members = this.listMembers(id)
    const joins = this.relays.get(id)?.joinLog ?? JoinLog.from(this.storedAppData(id))
    return members.map((pk) => memberDetail(pk, joins.latestOf(pk)))
  }

  /** Newest first; an inactive relay's are read from its database. */
  listInvites(id: string): InviteView[] {
    this.configured(id)
    const relay = this.relays.get(id)
    if (relay) return relay.listInvites()
    const events = this.storedAppData(id)
    return listInviteViews(readManagedInvites(events).values(), JoinLog.from(events))
  }

  createInvite(id: string, input: unknown): InviteView {
    const relay = this.activeRelay(id)
    try {
      return relay.createInvite(input)
    } catch (err) {
      if (err instanceof InviteRequestError) throw new ApiError(400, err.message)
      throw err
    }
  }

  revokeInvite(id: string, code: string): InviteView {
    const revoked = this.activeRelay(id).revokeInvite(code)
    if (!revoked) throw new ApiError(404, 'invite not found')
    return revoked
  }

  private activeRelay(id: string): VirtualRelay {
    this.configured(id)
    const relay = this.relays.get(id)
    if (!relay) throw new ApiError(409, 'relay is inactive')
    return relay
  }

  /** The relay-signed 30078 events of a relay that is not loaded ([] without a database). */
  private storedAppData(id: string) {
    const { config } = this.configured(id)
    const file = relayDbFile(this.dataDir, id)
    if (!fs.existsSync(file)) return []
    const store = new RelayStore(file)
    try {
      return store.listByAuthorKind(selfPubkey(config), APP_DATA_KIND)
    } finally {
      store.close()
    }
  }

  // ---- export / import / purge of one relay, live-aware ----

  private withStore<T>(id: string, fn: (store: RelayStore, relay: VirtualRelay | undefined) => T): T {
    const relay = this.relays.get(id)
    if (relay) return fn(relay.store, relay)
    const store = new RelayStore(relayDbFile(this.dataDir, id))
    try {
      return fn(store, undefined)
    } finally {
      store.close()
    }
  }

  exportRelay(id: string, writeLine: (line: string) => void): number {
    const relay = this.relays.get(id)
    relay?.flush()
    if (!relay && !fs.existsSync(relayDbFile(this.dataDir, id))) throw new Error(`relay ${id} has no data`)
    return this.withStore(id, (store) => exportEvents(store, writeLine))
  }

  /**
   * Streams a configured relay's events from a snapshot (management API export): `consume` reads the cursor,
   * and a loaded relay's store stays open meanwhile, its pending writes committed first.
   */
  async streamExport(id: string, consume: (cursor: ExportCursor) => Promise<void>): Promise<void> {
    this.configured(id)
    const file = relayDbFile(this.dataDir, id)
    const run = async () => {
      const cursor = openExportCursor(file)
      try {
        await consume(cursor)
      } finally {
        cursor.close()
      }
    }
    const relay = this.relays.get(id)
    if (!relay) return run()
    return relay.withStorePinned(() => {
      relay.flush()
      return run()
    })
  }

  async importRelay(id: string, lines: AsyncIterable<string> | Iterable<string>, options: ImportOptions = {}): Promise<ImportSummary> {
    const relay = this.relays.get(id)
    if (relay) {
      // Pinned: other relays opening while lines stream in must not close this store under the import.
      return relay.withStorePinned(async (store) => {
        relay.flush()
        const summary = await importEvents(store, lines, options)
        relay.loadState()
        relay.setConfig(relay.config)
        return summary
      })
    }
    const store = new RelayStore(relayDbFile(this.dataDir, id))
    try {
      return await importEvents(store, lines, options)
    } finally {
      store.close()
    }
  }

  /** Connections, storage, events and members now, and events by kind and members per day (the last `days`). */
  relayStats(id: string, days: number, now = nowSeconds()): RelayStats {
    const members = this.listMembers(id).length
    const relay = this.relays.get(id)
    const file = relayDbFile(this.dataDir, id)
    const connections = relay?.connections.size ?? 0
    if (!relay && !fs.existsSync(file)) return { connections, storage_bytes: 0, events_total: 0, members, daily: dailyStats(undefined, dayOf(now), days) }
    return this.withStore(id, (store) => ({
      connections,
      storage_bytes: databaseBytes(file),
      events_total: eventsTotal(store.db),
      members,
      daily: dailyStats(store.db, dayOf(now), days),
    }))
  }

  /** Removes all of one relay's data; a loaded relay keeps running with only its configured members. */
  purgeRelay(id: string): void {
    const relay = this.relays.get(id)
    if (relay) {
      relay.flush()
      relay.store.clear()
      relay.loadState()
      relay.setConfig(relay.config)
      return
    }
    removeRelayDbFiles(this.dataDir, id)
    if (this.catalog.get(id)?.status === 'deleted') this.catalog.remove(id)
  }

  sweepExpired(now: number): void {
    // Only open stores: a closed one's expired events are already hidden by queries and go at a later sweep.
    for (const relay of this.relays.values()) {
      if (!relay.isOpen) continue
      try {
        relay.purgeExpired(now)
      } catch (err) {
        this.log.error({ err, relay: relay.id }, 'expiration sweep failed')
      }
    }
  }

  close(): void {
    for (const id of [...this.relays.keys()]) this.unload(id, 'engine shutting down')
    this.catalog.close()
  }
}
