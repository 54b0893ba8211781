// One relay's event database: events, first-value index of single-letter tags, replaceable/addressable keys
// and expirations (engine.md §6). All reads and writes are synchronous better-sqlite3 calls on cached statements.
import fs from 'node:fs'
import path from 'node:path'
import type { Statement } from 'better-sqlite3'
import { addressKey, firstTagValue, LIMITS, serializeEvent, type Filter, type NostrEvent } from './nip01.js'
import { expirationOf } from './nip40.js'
import { ensureSchema, openDatabase, type Db } from './sqlite.js'
import { EventCountDeltas, STATS_SCHEMA } from './stats.js'
import type { StoredRow } from './visibility.js'

/** Bump with every change to SCHEMA (which must stay idempotent). */
const SCHEMA_VERSION = 2

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  pubkey TEXT NOT NULL,
  kind INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  dtag TEXT,
  expiration INTEGER,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events(created_at DESC, id);
CREATE INDEX IF NOT EXISTS events_by_author ON events(pubkey, created_at DESC);
CREATE INDEX IF NOT EXISTS events_by_kind ON events(kind, created_at DESC);
CREATE INDEX IF NOT EXISTS events_by_author_kind ON events(pubkey, kind, created_at DESC);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_address ON events(pubkey, kind, dtag) WHERE dtag IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_expiration ON events(expiration) WHERE expiration IS NOT NULL;
CREATE TABLE IF NOT EXISTS tags (
  seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tags_by_value ON tags(name, value, created_at DESC);
CREATE INDEX IF NOT EXISTS tags_by_event ON tags(seq);
${STATS_SCHEMA}`

/** Every event in export order (`caravel engine export` and the management API's export). */
export const EXPORT_SQL = 'SELECT json FROM events ORDER BY created_at ASC, id ASC'

/** The database file of a relay id; ids with characters unsafe in file names are hex-encoded behind `~`. */
export function relayDbFile(dataDir: string, relayId: string): string {
  const safe = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/.test(relayId)
  const name = safe ? relayId : `~${Buffer.from(relayId, 'utf8').toString('hex')}`
  return path.join(dataDir, 'relays', `${name}.sqlite`)
}

export function removeRelayDbFiles(dataDir: string, relayId: string): void {
  const file = relayDbFile(dataDir, relayId)
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true })
}

export type StoreResult = 'stored' | 'duplicate' | 'older'

interface AddressRow {
  seq: number
  id: string
  created_at: number
}

const MAX_CACHED_QUERIES = 256

/** What a delete tells the event counters (stats.ts). */
const REMOVED = 'RETURNING kind, created_at'
type RemovedRow = { kind: number; created_at: number }

/** The store's fixed statements, prepared on first use (a store opened for one query prepares one or two). */
const SQL = {
  insertEvent: 'INSERT OR IGNORE INTO events (id, pubkey, kind, created_at, dtag, expiration, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
  insertTag: 'INSERT INTO tags (seq, name, value, created_at) VALUES (?, ?, ?, ?)',
  selectAddress: 'SELECT seq, id, created_at FROM events WHERE pubkey = ? AND kind = ? AND dtag = ?',
  deleteSeq: 'DELETE FROM events WHERE seq = ?',
  deleteIdByAuthor: `DELETE FROM events WHERE id = ? AND pubkey = ? AND kind != 5 ${REMOVED}`,
  deleteAddressUpTo: `DELETE FROM events WHERE pubkey = ? AND kind = ? AND dtag = ? AND created_at <= ? ${REMOVED}`,
  deleteById: `DELETE FROM events WHERE id = ? ${REMOVED}`,
  deleteByAuthor: `DELETE FROM events WHERE pubkey = ? ${REMOVED}`,
  deletedById: `SELECT 1 FROM tags t JOIN events e ON e.seq = t.seq
       WHERE t.name = 'e' AND t.value = ? AND ((e.kind = 5 AND e.pubkey = ?) OR e.kind = 9005) LIMIT 1`,
  deletedByAddress: `SELECT 1 FROM tags t JOIN events e ON e.seq = t.seq
       WHERE t.name = 'a' AND t.value = ? AND e.kind = 5 AND e.pubkey = ? AND e.created_at >= ? LIMIT 1`,
  deleteByTag: `DELETE FROM events WHERE seq IN (SELECT seq FROM tags WHERE name = ? AND value = ?) ${REMOVED}`,
  deleteAddressStmt: `DELETE FROM events WHERE pubkey = ? AND kind = ? AND dtag = ? ${REMOVED}`,
  selectExpired: 'SELECT seq, kind, created_at FROM events WHERE expiration IS NOT NULL AND expiration <= ?',
  selectById: 'SELECT json FROM events WHERE id = ?',
} as const

export class RelayStore {
  readonly db: Db
  private readonly fixed = new Map<keyof typeof SQL, Statement>()
  private readonly queries = new Map<string, Statement>()
  /** Event count changes of the running transaction, written when it commits. */
  private readonly counts = new EventCountDeltas()

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    this.db = openDatabase(file)
    try {
      ensureSchema(this.db, SCHEMA, SCHEMA_VERSION)
    } catch (err) {
      this.db.close()
      throw err
    }
  }

  private s(name: keyof typeof SQL): Statement {
    let stmt = this.fixed.get(name)
    if (!stmt) {
      stmt = this.db.prepare(SQL[name])
      this.fixed.set(name, stmt)
    }
    return stmt
  }

  /** Closes the database; the last connection's close checkpoints the WAL into the file and removes it. */
  close(): void {
    if (!this.db.open) return
    this.fixed.clear()
    this.queries.clear()
    this.db.close()
  }

  /** Runs `fn` in one transaction (commit on return, rollback on throw), with the event counters it changed. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(() => {
        const result = fn()
        this.counts.writeTo(this.db)
        return result
      })()
    } catch (err) {
      this.counts.clear()
      throw err
    }
  }

  /** Counts removed rows; outside a transaction (autocommit) the counters are written at once. */
  private removed(rows: RemovedRow[]): number {
    this.counts.removed(rows)
    if (!this.db.inTransaction) this.counts.writeTo(this.db)
    return rows.length
  }

  private deleteAll(name: keyof typeof SQL, ...params: unknown[]): number {
    return this.removed(this.s(name).all(...params) as RemovedRow[])
  }

  /**
   * Stores an event, applying replaceable/addressable rules; call inside `transaction`. Deletions (kind 5)
   * are applied by the caller (nip09), which knows the rules.
   */
  put(event: NostrEvent, json: string = serializeEvent(event)): StoreResult {
    const d = addressKey(event)
    if (d !== null) {
      const existing = this.s('selectAddress').get(event.pubkey, event.kind, d) as AddressRow | undefined
      if (existing) {
        if (existing.id === event.id) return 'duplicate'
        if (existing.created_at > event.created_at || (existing.created_at === event.created_at && existing.id < event.id)) {
          return 'older'
        }
        this.s('deleteSeq').run(existing.seq)
        this.counts.add(existing.created_at, event.kind, -1)
      }
    }
    const info = this.s('insertEvent').run(event.id, event.pubkey, event.kind, event.created_at, d, expirationOf(event) ?? null, json)
    if (info.changes === 0) return 'duplicate'
    this.counts.add(event.created_at, event.kind, 1)
    if (!this.db.inTransaction) this.counts.writeTo(this.db)
    const seq = info.lastInsertRowid
    for (const t of event.tags) {
      const name = t[0]
      if (typeof name === 'string' && name.length === 1 && typeof t[1] === 'string') {
        this.s('insertTag').run(seq, name, t[1], event.created_at)
      }
    }
    return 'stored'
  }

  /** NIP-09: deletes `id` if `author` wrote it (never a kind 5). */
  deleteOwnEvent(id: string, author: string): number {
    return this.deleteAll('deleteIdByAuthor', id, author)
  }

  deleteOwnAddressUpTo(author: string, kind: number, d: string, createdAt: number): number {
    return this.deleteAll('deleteAddressUpTo', author, kind, d, createdAt)
  }

  deleteEvent(id: string): number {
    return this.deleteAll('deleteById', id)
  }

  deleteAuthorEvents(pubkey: string): number {
    return this.deleteAll('deleteByAuthor', pubkey)
  }

  /** Deletes every event whose tag `name` has the first value `value` (e.g. all of a NIP-29 group's `h`). */
  deleteTagged(name: string, value: string): number {
    return this.deleteAll('deleteByTag', name, value)
  }

  deleteAddress(pubkey: string, kind: number, d: string): number {
    return this.deleteAll('deleteAddressStmt', pubkey, kind, d)
  }

  /**
   * Whether a stored kind 5 by the event's author (by id, or by address up to its time) deletes it, or a
   * NIP-29 9005 by a group moderator (so a deleted group post cannot come back).
   */
  isDeleted(event: NostrEvent): boolean {
    if (this.s('deletedById').get(event.id, event.pubkey)) return true
    const d = addressKey(event)
    if (d !== null && event.kind >= 30000) {
      return this.s('deletedByAddress').get(`${event.kind}:${event.pubkey}:${d}`, event.pubkey, event.created_at) !== undefined
    }
    return false
  }

  purgeExpired(now: number): number {
    const rows = this.s('selectExpired').all(now) as ({ seq: number } & RemovedRow)[]
    if (rows.length === 0) return 0
    this.transaction(() => {
      for (const r of rows) this.s('deleteSeq').run(r.seq)
      this.counts.removed(rows)
    })
    return rows.length
  }

  getJson(id: string): string | undefined {
    return (this.s('selectById').get(id) as { json: string } | undefined)?.json
  }

  /** Stored events matching a filter, newest first (`created_at` desc, id asc), unexpired, at most `limit`. */
  query(f: Filter, now: number): StoredRow[] {
    const limit = Math.min(f.limit ?? LIMITS.default_limit, LIMITS.max_limit)
    if (limit <= 0) return []
    const conds = ['(e.expiration IS NULL OR e.expiration > ?)']
    const params: unknown[] = [now]
    // One value → `=`, so the (column, created_at) index also yields the order and LIMIT stops early.
    const match = (column: string, values: readonly (string | number)[]) => {
      if (values.length === 1) {
        conds.push(`${column} = ?`)
        params.push(values[0])
      } else {
        conds.push(`${column} IN (SELECT value FROM json_each(?))`)
        params.push(JSON.stringify(values))
      }
    }
    if (f.ids) match('e.id', f.ids)
    if (f.authors) match('e.pubkey', f.authors)
    if (f.kinds) match('e.kind', f.kinds)
    if (f.since !== undefined) {
      conds.push('e.created_at >= ?')
      params.push(f.since)
    }
    if (f.until !== undefined) {
      conds.push('e.created_at <= ?')
      params.push(f.until)
    }
    let from = 'events e'
    let order = 'e.created_at DESC, e.id'
    const tagFilters = f.tags ? [...f.tags] : []
    const first = tagFilters[0]
    if (first && first[1].length === 1) {
      // A single tag value drives the query from the tag index, already in time order.
      from = 'tags t JOIN events e ON e.seq = t.seq'
      conds.push('t.name = ? AND t.value = ?')
      params.push(first[0], first[1][0])
      order = 't.created_at DESC, e.id'
      tagFilters.shift()
    }
    for (const [letter, values] of tagFilters) {
      conds.push('e.seq IN (SELECT seq FROM tags WHERE name = ? AND value IN (SELECT value FROM json_each(?)))')
      params.push(letter, JSON.stringify(values))
    }
    params.push(limit)
    const sql = `SELECT e.id, e.kind, e.json FROM ${from} WHERE ${conds.join(' AND ')} ORDER BY ${order} LIMIT ?`
    return this.statement(sql).all(...params) as StoredRow[]
  }

  /** Every event in export order: `created_at` ascending, then id. */
  *iterateAll(): IterableIterator<string> {
    const stmt = this.db.prepare(EXPORT_SQL).pluck()
    for (const json of stmt.iterate()) yield json as string
  }

  /** The stored version of a replaceable/addressable key, if any. */
  getAddress(pubkey: string, kind: number, d: string): NostrEvent | undefined {
    const row = this.s('selectAddress').get(pubkey, kind, d) as AddressRow | undefined
    if (!row) return undefined
    const json = this.getJson(row.id)
    return json ? (JSON.parse(json) as NostrEvent) : undefined
  }

  listByAuthorKind(pubkey: string, kind: number): NostrEvent[] {
    const stmt = this.statement('SELECT json FROM events WHERE pubkey = ? AND kind = ? ORDER BY created_at ASC')
    return (stmt.raw(false).all(pubkey, kind) as { json: string }[]).map((r) => r.json).map((j) => JSON.parse(j) as NostrEvent)
  }

  clear(): void {
    this.transaction(() => {
      this.db.exec('DELETE FROM tags; DELETE FROM events; DELETE FROM event_counts;')
      this.counts.clear()
    })
  }

  countEvents(): number {
    return this.db.prepare('SELECT count(*) FROM events').pluck().get() as number
  }

  private statement(sql: string): Statement {
    let stmt = this.queries.get(sql)
    if (!stmt) {
      if (this.queries.size >= MAX_CACHED_QUERIES) this.queries.clear()
      stmt = this.db.prepare(sql)
      this.queries.set(sql, stmt)
    }
    return stmt
  }
}

export { firstTagValue }
