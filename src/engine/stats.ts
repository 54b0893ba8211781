// Per-relay statistics (a Caravel extension, docs/engine.md): stored events per (UTC day of created_at, kind)
// and the member count at the end of each day, kept in the relay's own database. Event counts change only with
// the events themselves: the store collects +1/-1 deltas in memory and writes one upsert per touched (day, kind)
// in the transaction that stores or removes the events, never one write per event.
import fs from 'node:fs'
import type { Db } from './sqlite.js'

export const SECONDS_PER_DAY = 86_400

/** The UTC day number (days since 1970-01-01) of a timestamp in seconds. */
export const dayOf = (seconds: number): number => Math.floor(seconds / SECONDS_PER_DAY)

/** `YYYY-MM-DD` of a day number. */
export const dayLabel = (day: number): string => new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10)

/** The same day number in SQL, for the backfill and for checks against the stored events. */
export const SQL_DAY_OF_CREATED_AT = 'CAST(floor(created_at / 86400.0) AS INTEGER)'

/** Tables of the relay database schema (store.ts); the backfill recounts, so re-applying it is harmless. */
export const STATS_SCHEMA = `
CREATE TABLE IF NOT EXISTS event_counts (
  day INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, kind)
) WITHOUT ROWID;
DELETE FROM event_counts;
INSERT INTO event_counts (day, kind, count) SELECT ${SQL_DAY_OF_CREATED_AT}, kind, count(*) FROM events GROUP BY 1, 2;
CREATE TABLE IF NOT EXISTS member_counts (
  day INTEGER PRIMARY KEY,
  members INTEGER NOT NULL
);
`

/** Event count changes not yet written, by day then kind. */
export class EventCountDeltas {
  private readonly byDay = new Map<number, Map<number, number>>()

  add(createdAt: number, kind: number, delta: number): void {
    const day = dayOf(createdAt)
    let kinds = this.byDay.get(day)
    if (!kinds) {
      kinds = new Map()
      this.byDay.set(day, kinds)
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + delta)
  }

  /** -1 for each removed row. */
  removed(rows: readonly { kind: number; created_at: number }[]): void {
    for (const r of rows) this.add(r.created_at, r.kind, -1)
  }

  get empty(): boolean {
    return this.byDay.size === 0
  }

  /** Writes the non-zero deltas (one upsert each) and forgets them; call inside the events' transaction. */
  writeTo(db: Db): void {
    if (this.byDay.size === 0) return
    const upsert = db.prepare(
      'INSERT INTO event_counts (day, kind, count) VALUES (?, ?, ?) ON CONFLICT (day, kind) DO UPDATE SET count = count + excluded.count',
    )
    for (const [day, kinds] of this.byDay) {
      for (const [kind, delta] of kinds) if (delta !== 0) upsert.run(day, kind, delta)
    }
    this.byDay.clear()
  }

  clear(): void {
    this.byDay.clear()
  }
}

export interface DailyStats {
  day: string
  /** Stored events per kind (as a string key) whose created_at falls on that day; kinds with none are left out. */
  events: Record<string, number>
  /** Members at the end of the day (the last recorded count carried forward). */
  members: number
}

/** GET /relay/{id}/stats. */
export interface RelayStats {
  /** WebSocket connections open to the relay now. */
  connections: number
  /** The relay database file and its write-ahead log. */
  storage_bytes: number
  events_total: number
  /** Members, configured ones included (as GET /relay/{id}/members lists them). */
  members: number
  daily: DailyStats[]
}

/** Bytes of a relay database on disk: the file and its write-ahead log (0 for a file that is not there). */
export function databaseBytes(file: string): number {
  let bytes = 0
  for (const f of [file, `${file}-wal`]) bytes += fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0
  return bytes
}

/** The last `days` UTC days up to `today`, oldest first, every day present; a relay without a database has none. */
export function dailyStats(db: Db | undefined, today: number, days: number): DailyStats[] {
  const first = today - days + 1
  const out: DailyStats[] = []
  const index = new Map<number, DailyStats>()
  for (let day = first; day <= today; day++) {
    const entry: DailyStats = { day: dayLabel(day), events: {}, members: 0 }
    out.push(entry)
    index.set(day, entry)
  }
  if (!db) return out
  const counts = db
    .prepare('SELECT day, kind, count FROM event_counts WHERE day BETWEEN ? AND ? AND count != 0')
    .all(first, today) as { day: number; kind: number; count: number }[]
  for (const c of counts) index.get(c.day)!.events[String(c.kind)] = c.count
  const before = db.prepare('SELECT members FROM member_counts WHERE day < ? ORDER BY day DESC LIMIT 1').pluck().get(first) as number | undefined
  const changes = new Map(
    (db.prepare('SELECT day, members FROM member_counts WHERE day BETWEEN ? AND ?').all(first, today) as { day: number; members: number }[]).map(
      (r) => [r.day, r.members],
    ),
  )
  let members = before ?? 0
  for (let day = first; day <= today; day++) {
    members = changes.get(day) ?? members
    index.get(day)!.members = members
  }
  return out
}

/** Stored events now, from the counters (equal to `count(*)` of the events, without scanning them). */
export function eventsTotal(db: Db): number {
  return (db.prepare('SELECT coalesce(sum(count), 0) FROM event_counts').pluck().get() as number) ?? 0
}

/** The latest recorded member count, if any. */
export function lastMemberCount(db: Db): number | undefined {
  return db.prepare('SELECT members FROM member_counts ORDER BY day DESC LIMIT 1').pluck().get() as number | undefined
}

/** Records the member count at `day` (the count at the end of the day is the last one recorded). */
export function recordMemberCount(db: Db, day: number, members: number): void {
  db.prepare('INSERT INTO member_counts (day, members) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET members = excluded.members').run(day, members)
}
