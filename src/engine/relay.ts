// A virtual relay: one relay id's config, store, in-memory state (members, bans, invites) and open
// connections. State changes are committed as self-signed events before they take effect (engine.md §5.6).
// The config is always in memory (NIP-11, Host dispatch); the store opens on first use and the in-memory
// state is loaded with it. An idle relay's store may be closed by the engine's StorePool and reopened later.
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { signEvent } from '../nostr/verify.js'
import type { Logger } from '../log.js'
import { banListTemplate, BANNED_EVENTS_D, BANNED_PUBKEYS_D, APP_DATA_KIND, readBanList } from './bans.js'
import type { Connection } from './connection.js'
import { isEphemeralKind, serializeEvent } from './nip01.js'
import { applyDeletion, DELETION_KIND } from './nip09.js'
import {
  INVITE_KIND,
  inviteTemplate,
  MEMBER_ADDED_KIND,
  MEMBER_LIST_KIND,
  MEMBER_REMOVED_KIND,
  memberChangeTemplate,
  memberListTemplate,
  membersOf,
  newClaimCode,
} from './nip43.js'
import { GroupRegistry, syncGroupAdmins } from './nip29.js'
import {
  decodeInviteRequest,
  INVITE_D_PREFIX,
  inviteView,
  isUsable,
  listInviteViews,
  managedInviteTemplate,
  readManagedInvites,
  type InviteView,
  type ManagedInvite,
} from './invites.js'
import { API_JOIN, JoinLog, joinTemplate, type JoinMethod } from './joins.js'
import type { Outcome } from './outcome.js'
import { configuredMembers, hexToBytes, selfPubkey, type RelayConfig } from './relay-config.js'
import { dayOf, lastMemberCount, recordMemberCount } from './stats.js'
import type { RelayStore, StoreResult } from './store.js'
import type { PooledStore, StorePool } from './store-pool.js'

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

interface PendingWrite {
  event: NostrEvent
  json: string
  resolve: (outcome: Outcome) => void
}

const STORE_OUTCOMES: Record<StoreResult, Outcome> = {
  stored: { ok: true, message: '' },
  duplicate: { ok: true, message: 'duplicate: already have this event' },
  older: { ok: true, message: 'duplicate: a newer version is already stored' },
}

/** Opens a relay's store; the relay tells its pool when it opens and closes it. */
export interface StoreSource {
  open(): RelayStore
  pool?: StorePool
}

export class VirtualRelay implements PooledStore {
  config: RelayConfig
  readonly self: string
  // State loaded from the store when it opens, dropped when it closes: read it through the getters below.
  private readonly memberSet = new Set<string>()
  private bannedPubkeyMap = new Map<string, string>()
  private bannedEventMap = new Map<string, string>()
  private readonly inviteByInviter = new Map<string, string>()
  private readonly inviterByCode = new Map<string, string>()
  /** Caravel: managed invites by code, and how each member joined. */
  private readonly managedInvites = new Map<string, ManagedInvite>()
  private readonly joins = new JoinLog()
  readonly connections = new Set<Connection>()
  /** NIP-29 groups, rebuilt from the relay's own 39000/39001/39002 and invite events. */
  private readonly groupRegistry = new GroupRegistry()
  private readonly secretKey: Uint8Array
  private admins = new Set<string>()
  private inviters = new Set<string>()
  private configured = new Set<string>()
  private exempt: ReadonlySet<number> = new Set()
  private pending: PendingWrite[] = []
  private flushScheduled = false
  private openStore: RelayStore | undefined
  private opening = false
  /** Running operations (e.g. an import) that keep the store open. */
  private pins = 0
  /** The member count last recorded for the stats (read from the store on first use). */
  private recordedMembers: number | undefined
  private readonly source: StoreSource
  closed = false

  constructor(
    readonly id: string,
    config: RelayConfig,
    /** The relay's store, or how to open it on first use (then it may be closed when idle). */
    store: RelayStore | StoreSource,
    readonly log: Logger,
    /** Persists a config changed from inside the relay (NIP-86 changerelay*). */
    private readonly persistConfig: (config: RelayConfig) => void = () => {},
  ) {
    this.config = config
    this.secretKey = hexToBytes(config.secret)
    this.self = selfPubkey(config)
    this.applyConfig(config)
    if ('open' in store && typeof store.open === 'function') this.source = store
    else {
      const opened = store as RelayStore
      this.source = { open: () => opened }
      this.ensureOpen()
    }
  }

  // ---- the store: opened on first use, closed by the pool when idle ----

  /** Whether the relay's database is open now. */
  get isOpen(): boolean {
    return this.openStore !== undefined
  }

  /** The relay's store, opened (and its state loaded) on first use. */
  get store(): RelayStore {
    const store = this.openStore
    if (store === undefined) return this.open()
    this.source.pool?.touch(this)
    return store
  }

  /** True when the store can be closed: no connections, no pending writes, no running operation. */
  get idle(): boolean {
    return this.connections.size === 0 && this.pending.length === 0 && this.pins === 0 && !this.opening
  }

  ensureOpen(): void {
    void this.store
  }

  private open(): RelayStore {
    if (this.closed) throw new Error(`relay ${this.id} is closed`)
    const pool = this.source.pool
    this.opening = true
    try {
      pool?.reserve(this)
      const store = this.source.open()
      this.openStore = store
      pool?.opened(this)
      try {
        this.loadState()
        this.syncConfig()
      } catch (err) {
        this.closeStore()
        throw err
      }
      return store
    } finally {
      this.opening = false
    }
  }

  /** Commits pending writes, closes the store (checkpointing its WAL) and drops the state loaded with it. */
  closeStore(): void {
    const store = this.openStore
    if (store === undefined) return
    if (this.pending.length > 0) this.flush()
    this.openStore = undefined
    this.source.pool?.closed(this)
    this.memberSet.clear()
    this.bannedPubkeyMap = new Map()
    this.bannedEventMap = new Map()
    this.inviteByInviter.clear()
    this.inviterByCode.clear()
    this.managedInvites.clear()
    this.joins.clear()
    this.groupRegistry.groups.clear()
    this.groupRegistry.invites.clear()
    store.close()
  }

  /** Runs `fn` with the store open and kept open until the returned promise settles. */
  async withStorePinned<T>(fn: (store: RelayStore) => Promise<T> | T): Promise<T> {
    this.pins++
    try {
      return await fn(this.store)
    } finally {
      this.pins--
      if (this.idle) this.source.pool?.trim()
    }
  }

  /** Deletes expired events if the store is open (without reopening it or marking it recently used). */
  purgeExpired(now: number): number {
    return this.openStore?.purgeExpired(now) ?? 0
  }

  /** A connection ended; an idle relay over the pool's maximum may now be closed. */
  detach(conn: Connection): void {
    if (!this.connections.delete(conn)) return
    if (!this.closed && this.idle) this.source.pool?.trim()
  }

  get members(): Set<string> {
    this.ensureOpen()
    return this.memberSet
  }

  get bannedPubkeys(): Map<string, string> {
    this.ensureOpen()
    return this.bannedPubkeyMap
  }

  get bannedEvents(): Map<string, string> {
    this.ensureOpen()
    return this.bannedEventMap
  }

  get groups(): GroupRegistry {
    this.ensureOpen()
    return this.groupRegistry
  }

  /** How and when each member joined (Caravel). */
  get joinLog(): JoinLog {
    this.ensureOpen()
    return this.joins
  }

  /** Reloads members, bans, invites and groups from the relay's self-signed events. */
  loadState(): void {
    const store = this.store
    this.memberSet.clear()
    for (const pk of membersOf(store.getAddress(this.self, MEMBER_LIST_KIND, ''))) this.memberSet.add(pk)
    this.bannedPubkeyMap = readBanList(store.getAddress(this.self, APP_DATA_KIND, BANNED_PUBKEYS_D), 'pubkey')
    this.bannedEventMap = readBanList(store.getAddress(this.self, APP_DATA_KIND, BANNED_EVENTS_D), 'event')
    this.inviteByInviter.clear()
    this.inviterByCode.clear()
    for (const invite of store.listByAuthorKind(this.self, INVITE_KIND)) {
      const code = invite.tags.find((t) => t[0] === 'claim')?.[1]
      const inviter = invite.tags.find((t) => t[0] === 'p')?.[1]
      if (code && inviter) {
        this.inviteByInviter.set(inviter, code)
        this.inviterByCode.set(code, inviter)
      }
    }
    this.groupRegistry.load(store, this.self)
    const appData = store.listByAuthorKind(this.self, APP_DATA_KIND)
    this.joins.load(appData)
    this.managedInvites.clear()
    for (const [code, invite] of readManagedInvites(appData)) this.managedInvites.set(code, invite)
  }

  /** Applies a (validated) config live: roles, gates and NIP-11 change at once; configured members join (§4.3). */
  setConfig(config: RelayConfig): void {
    this.applyConfig(config)
    if (this.openStore === undefined) this.open()
    else this.syncConfig()
  }

  /** The parts of a config that need no store: roles, admins, inviters, the groups switch. */
  private applyConfig(config: RelayConfig): void {
    this.config = config
    this.configured = configuredMembers(config, this.self)
    const owner = config.info.pubkey
    this.admins = new Set([this.self, owner])
    this.inviters = new Set([this.self, owner])
    for (const role of Object.values(config.roles)) {
      for (const pk of role.pubkeys) {
        if (role.can_manage) this.admins.add(pk)
        if (role.can_invite) this.inviters.add(pk)
      }
    }
    // Off, groups keep their data untouched; on, each group's 39001 follows the relay admins.
    this.groupRegistry.enabled = config.groups.enabled
    this.exempt = new Set(config.policy.exempt_kinds)
  }

  /** The parts that write: configured members join and are unbanned, groups' 39001 follow the admins. */
  syncConfig(): void {
    const toAdd = [...this.configured].filter((pk) => !this.members.has(pk) || this.bannedPubkeys.has(pk))
    if (toAdd.length > 0) this.addMembers(toAdd)
    if (this.groupRegistry.enabled) syncGroupAdmins(this)
    this.recordMembers()
  }

  /** Members and configured pubkeys: what GET /relay/{id}/members lists. */
  get memberCount(): number {
    let n = this.members.size
    for (const pk of this.configured) if (!this.memberSet.has(pk)) n++
    return n
  }

  /** Records today's member count for the stats when it changed (in the transaction that changed it, if any). */
  private recordMembers(): void {
    const db = this.store.db
    this.recordedMembers ??= lastMemberCount(db) ?? -1
    const n = this.memberCount
    if (n === this.recordedMembers) return
    recordMemberCount(db, dayOf(nowSeconds()), n)
    this.recordedMembers = n
  }

  /** Changes one `info` field from NIP-86 and persists the config. */
  changeInfo(field: 'name' | 'description' | 'icon', value: string): void {
    const next: RelayConfig = { ...this.config, info: { ...this.config.info, [field]: value } }
    this.persistConfig(next)
    this.config = next
  }

  isMember = (pk: string): boolean => this.members.has(pk)
  isAdmin = (pk: string): boolean => this.admins.has(pk)
  /** Self, owner and every role with can_manage. */
  get adminPubkeys(): ReadonlySet<string> {
    return this.admins
  }
  isConfigured = (pk: string): boolean => this.configured.has(pk)
  /** policy.exempt_kinds (Caravel), as a set. */
  get exemptKinds(): ReadonlySet<number> {
    return this.exempt
  }

  /** Caravel policy.max_members: whether adding `pk` would exceed it (configured members are not counted). */
  isFullFor(pk: string): boolean {
    const max = this.config.policy.max_members
    if (max === null || this.isConfigured(pk) || this.members.has(pk)) return false
    let counted = 0
    for (const member of this.members) if (!this.configured.has(member)) counted++
    return counted >= max
  }

  isInviter(pk: string): boolean {
    if (this.bannedPubkeys.has(pk) || !this.members.has(pk)) return false
    return this.inviters.has(pk) || this.config.roles.member?.can_invite === true
  }

  isValidClaim(code: string): boolean {
    const inviter = this.inviterByCode.get(code)
    return inviter !== undefined && this.isInviter(inviter)
  }

  /** How a 28934 `claim` admits its author: a qualifying inviter's code or a usable managed invite. */
  admissionFor(code: string | undefined, now: number): JoinMethod | undefined {
    if (code === undefined) return undefined
    if (this.isValidClaim(code)) return { via: 'claim', code }
    const invite = this.managedInvites.get(code)
    if (invite && isUsable(invite, this.joinLog.joinsWith(code).length, now)) return { via: 'invite', code }
    return undefined
  }

  // ---- relay-generated state, committed synchronously then broadcast ----

  private sign(template: EventTemplate): NostrEvent {
    return signEvent(template, this.secretKey)
  }

  /** created_at for a new version of one of self's replaceable events: max(now, previous + 1). */
  nextVersionTime(kind: number, d: string): number {
    const previous = this.store.getAddress(this.self, kind, d)
    return Math.max(nowSeconds(), previous ? previous.created_at + 1 : 0)
  }

  /** Signs and stores relay events (after `before`, in the same transaction), then broadcasts them. */
  private commitOwn(templates: (() => EventTemplate)[], before?: () => void): void {
    this.commit(undefined, templates, before)
  }

  /**
   * Commits the pending writes first (so a change never overtakes an earlier event), then in one transaction
   * runs `before`, stores a user's `event` and signs and stores the relay's own events; then broadcasts
   * what was stored. Returns whether `event` was stored (false: it already was).
   */
  commit(event: NostrEvent | undefined, templates: (() => EventTemplate)[], before?: () => void): boolean {
    this.flush()
    const events: NostrEvent[] = []
    let storedEvent = false
    this.store.transaction(() => {
      before?.()
      if (event && this.store.put(event) === 'stored') {
        storedEvent = true
        events.push(event)
      }
      for (const make of templates) {
        const own = this.sign(make())
        if (this.store.put(own) === 'stored') events.push(own)
      }
      this.recordMembers()
    })
    for (const e of events) this.broadcast(e, serializeEvent(e))
    return storedEvent
  }

  private memberListUpdate = () => memberListTemplate(this.members, this.nextVersionTime(MEMBER_LIST_KIND, ''))
  private bannedPubkeysUpdate = () =>
    banListTemplate(BANNED_PUBKEYS_D, 'pubkey', this.bannedPubkeys, this.nextVersionTime(APP_DATA_KIND, BANNED_PUBKEYS_D))
  private bannedEventsUpdate = () =>
    banListTemplate(BANNED_EVENTS_D, 'event', this.bannedEvents, this.nextVersionTime(APP_DATA_KIND, BANNED_EVENTS_D))

  /** Unbans and adds members: one 8000 and one join record (how: `how`) per addition, and one new 13534. */
  addMembers(pubkeys: string[], how: JoinMethod = API_JOIN): void {
    const unbanned = pubkeys.filter((pk) => this.bannedPubkeys.delete(pk))
    const added = pubkeys.filter((pk) => !this.members.has(pk))
    const at = nowSeconds()
    for (const pk of added) {
      this.members.add(pk)
      this.joins.add({ pubkey: pk, joined_at: at, ...how })
    }
    const updates: (() => EventTemplate)[] = added.flatMap((pk) => [
      () => memberChangeTemplate(MEMBER_ADDED_KIND, pk, at),
      () => joinTemplate(pk, how, at),
    ])
    if (added.length > 0) updates.push(this.memberListUpdate)
    if (unbanned.length > 0) updates.push(this.bannedPubkeysUpdate)
    if (updates.length > 0) this.commitOwn(updates)
  }

  removeMember(pk: string): void {
    if (!this.members.delete(pk)) return
    this.commitOwn([() => memberChangeTemplate(MEMBER_REMOVED_KIND, pk, nowSeconds()), this.memberListUpdate])
  }

  /** NIP-86 banpubkey: membership ends, the ban is recorded and all the author's events are deleted. */
  banPubkey(pk: string, reason: string): void {
    const wasMember = this.members.delete(pk)
    this.bannedPubkeys.set(pk, reason)
    const updates: (() => EventTemplate)[] = [this.bannedPubkeysUpdate]
    if (wasMember) updates.unshift(() => memberChangeTemplate(MEMBER_REMOVED_KIND, pk, nowSeconds()), this.memberListUpdate)
    this.commitOwn(updates, () => this.store.deleteAuthorEvents(pk))
  }

  unbanPubkey(pk: string): void {
    if (this.bannedPubkeys.delete(pk)) this.commitOwn([this.bannedPubkeysUpdate])
  }

  banEvent(id: string, reason: string): void {
    this.bannedEvents.set(id, reason)
    this.commitOwn([this.bannedEventsUpdate], () => this.store.deleteEvent(id))
  }

  allowEvent(id: string): void {
    if (this.bannedEvents.delete(id)) this.commitOwn([this.bannedEventsUpdate])
  }

  /** A new 8-character code, unique among inviters' claims and managed invites. */
  private newCode(): string {
    let code: string
    do code = newClaimCode()
    while (this.inviterByCode.has(code) || this.managedInvites.has(code))
    return code
  }

  /** The inviter's claim code, creating and storing its 28935 on first request. */
  ensureInvite(inviter: string): string {
    const existing = this.inviteByInviter.get(inviter)
    if (existing) return existing
    const claim = this.newCode()
    this.commitOwn([() => inviteTemplate(inviter, claim, nowSeconds())])
    this.inviteByInviter.set(inviter, claim)
    this.inviterByCode.set(claim, inviter)
    return claim
  }

  // ---- Caravel managed invites (management API) ----

  /** Validates and stores a new invite; throws InviteRequestError with the 400 message. */
  createInvite(input: unknown): InviteView {
    const now = nowSeconds()
    const request = decodeInviteRequest(input, now)
    this.ensureOpen()
    const invite: ManagedInvite = { code: this.newCode(), created_at: now, revoked_at: null, ...request }
    this.commitOwn([() => managedInviteTemplate(invite, now)])
    this.managedInvites.set(invite.code, invite)
    return this.inviteView(invite)
  }

  /** Every managed invite, newest first, with its joins. */
  listInvites(): InviteView[] {
    this.ensureOpen()
    return listInviteViews(this.managedInvites.values(), this.joins)
  }

  /** Revokes an invite (kept, with its history); undefined when there is no such invite. */
  revokeInvite(code: string): InviteView | undefined {
    this.ensureOpen()
    const invite = this.managedInvites.get(code)
    if (!invite) return undefined
    if (invite.revoked_at === null) {
      const revoked: ManagedInvite = { ...invite, revoked_at: nowSeconds() }
      const d = INVITE_D_PREFIX + code
      this.commitOwn([() => managedInviteTemplate(revoked, this.nextVersionTime(APP_DATA_KIND, d))])
      this.managedInvites.set(code, revoked)
      return this.inviteView(revoked)
    }
    return this.inviteView(invite)
  }

  private inviteView(invite: ManagedInvite): InviteView {
    return inviteView(invite, this.joins.joinsWith(invite.code))
  }

  // ---- user writes: group-committed, OK only after commit ----

  /** Step 12 of the write pipeline: ephemeral events are broadcast, the rest stored then broadcast. */
  accept(event: NostrEvent): Promise<Outcome> {
    const json = serializeEvent(event)
    if (isEphemeralKind(event.kind)) {
      this.broadcast(event, json)
      return Promise.resolve({ ok: true, message: '' })
    }
    return new Promise((resolve) => {
      this.pending.push({ event, json, resolve })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /** Commits every pending write in one transaction (one fsync), then answers and broadcasts. */
  flush(): void {
    this.flushScheduled = false
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    let results: StoreResult[]
    try {
      if (this.closed) throw new Error('relay is closed')
      results = this.store.transaction(() =>
        batch.map((w) => {
          const result = this.store.put(w.event, w.json)
          if (result === 'stored' && w.event.kind === DELETION_KIND) applyDeletion(this.store, w.event)
          return result
        }),
      )
    } catch (err) {
      this.log.error({ err, relay: this.id }, 'storing events failed')
      for (const w of batch) w.resolve({ ok: false, message: 'error: could not store event' })
      return
    }
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!
      if (results[i] === 'stored') this.broadcast(w.event, w.json)
      w.resolve(STORE_OUTCOMES[results[i]!])
    }
  }

  broadcast(event: NostrEvent, json: string): void {
    for (const conn of this.connections) conn.deliver(event, json)
  }

  /** Unloads the relay: pending writes are committed, sockets closed with 1001, the database closed. */
  close(reason = 'relay unavailable'): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    for (const conn of this.connections) conn.close(1001, reason)
    this.connections.clear()
    this.closeStore()
  }
}
