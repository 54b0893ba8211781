import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { applyDeletion } from './nip09.js'
import { dailyStats, dayLabel, dayOf, eventsTotal, recordMemberCount, SQL_DAY_OF_CREATED_AT } from './stats.js'
import { RelayStore } from './store.js'
import type { Db } from './sqlite.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-stats-'))
const stores: RelayStore[] = []
afterAll(() => stores.forEach((s) => s.close()))
const open = (name: string) => {
  const s = new RelayStore(path.join(dir, `${name}.sqlite`))
  stores.push(s)
  return s
}
const sk = generateSecretKey()
const pk = getPublicKey(sk)
const DAY = 86_400
const T = 20_000 * DAY // a day boundary
const ev = (kind: number, created_at: number, tags: string[][] = [], content = '', key = sk) => finalizeEvent({ kind, created_at, tags, content }, key)

/** The counters, and what they must equal: a count of the stored events by day and kind. */
const counters = (db: Db) =>
  db.prepare('SELECT day, kind, count FROM event_counts WHERE count != 0 ORDER BY day, kind').all()
const actual = (db: Db) =>
  db.prepare(`SELECT ${SQL_DAY_OF_CREATED_AT} AS day, kind, count(*) AS count FROM events GROUP BY 1, 2 ORDER BY 1, 2`).all()

describe('event counters', () => {
  it('follow every way an event is stored or removed', () => {
    const store = open('paths')
    const check = () => expect(counters(store.db)).toEqual(actual(store.db))
    const note = ev(1, T + 10)
    const late = ev(1, T - 1) // the day before
    const reaction = ev(7, T + 20)
    store.transaction(() => [note, late, reaction, note].forEach((e) => store.put(e)))
    expect(counters(store.db)).toEqual([
      { day: dayOf(T - 1), kind: 1, count: 1 },
      { day: dayOf(T), kind: 1, count: 1 },
      { day: dayOf(T), kind: 7, count: 1 },
    ])
    // replaceable and addressable versions replace each other across days
    const profile1 = ev(0, T - 5)
    const profile2 = ev(0, T + DAY)
    const article1 = ev(30023, T, [['d', 'a']])
    const article2 = ev(30023, T + 2 * DAY, [['d', 'a']])
    store.transaction(() => [profile1, profile2, article1, article2].forEach((e) => store.put(e)))
    check()
    expect(counters(store.db)).toContainEqual({ day: dayOf(T + 2 * DAY), kind: 30023, count: 1 })
    // NIP-09 by id and by address
    const deletion = ev(5, T + 3 * DAY, [['e', late.id], ['a', `30023:${pk}:a`]])
    store.transaction(() => {
      store.put(deletion)
      applyDeletion(store, deletion)
    })
    check()
    // removals called one by one, outside a transaction (autocommit)
    store.deleteEvent(reaction.id)
    check()
    const grouped = [ev(9, T, [['h', 'g1']]), ev(9, T + DAY, [['h', 'g1']])]
    grouped.forEach((e) => store.put(e))
    check()
    store.transaction(() => store.deleteTagged('h', 'g1'))
    check()
    const meta = ev(39000, T, [['d', 'g1']])
    store.transaction(() => store.put(meta))
    store.transaction(() => store.deleteAddress(pk, 39000, 'g1'))
    check()
    // expiration purge
    const expiring = ev(1, T + 30, [['expiration', String(T + 40)]])
    store.transaction(() => store.put(expiring))
    expect(store.purgeExpired(T + 50)).toBe(1)
    check()
    // a ban deletes an author's events
    const other = generateSecretKey()
    store.transaction(() => [ev(1, T, [], 'x', other), ev(3, T, [], '', other)].forEach((e) => store.put(e)))
    store.transaction(() => store.deleteAuthorEvents(getPublicKey(other)))
    check()
    expect(eventsTotal(store.db)).toBe(store.countEvents())
    // a rolled back transaction leaves no count behind
    expect(() =>
      store.transaction(() => {
        store.put(ev(1, T + 99))
        throw new Error('boom')
      }),
    ).toThrow('boom')
    store.transaction(() => store.put(ev(1, T + 100)))
    check()
    store.clear()
    expect(counters(store.db)).toEqual([])
    expect(eventsTotal(store.db)).toBe(0)
  })

  it('writes one row per (day, kind) per transaction, whatever the number of events', () => {
    const store = open('batch')
    store.transaction(() => {
      for (let i = 0; i < 100; i++) store.put(ev(1, T + i))
    })
    expect(counters(store.db)).toEqual([{ day: dayOf(T), kind: 1, count: 100 }])
    // 200 events of two kinds on one day: 200 event rows written, and 2 counter upserts (not 200).
    const changes = () => store.db.prepare('SELECT total_changes()').pluck().get() as number
    const before = changes()
    store.transaction(() => {
      for (let i = 0; i < 200; i++) store.put(ev(i % 2 === 0 ? 1 : 7, T + 600 + i))
    })
    expect(changes() - before).toBe(202)
    expect(counters(store.db)).toEqual(actual(store.db))
  })

  it('are backfilled once when an existing relay database gets the table', () => {
    const file = path.join(dir, 'old.sqlite')
    const s = new RelayStore(file)
    s.transaction(() => [ev(1, T), ev(1, T + 1), ev(7, T + DAY), ev(0, T - DAY)].forEach((e) => s.put(e)))
    // Make it look like a database of schema version 1: no counter tables.
    s.db.exec('DROP TABLE event_counts; DROP TABLE member_counts; PRAGMA user_version = 1')
    s.close()
    const reopened = open('old')
    expect(reopened.db.pragma('user_version', { simple: true })).toBe(2)
    expect(counters(reopened.db)).toEqual(actual(reopened.db))
    expect(counters(reopened.db)).toHaveLength(3)
  })
})

describe('dailyStats', () => {
  it('lists every day oldest first, events by kind, members carried forward', () => {
    const store = open('daily')
    const today = dayOf(T) + 4
    store.transaction(() => [ev(1, T), ev(1, T + 5), ev(7, T + 2 * DAY), ev(1, T - 10 * DAY)].forEach((e) => store.put(e)))
    recordMemberCount(store.db, dayOf(T) - 20, 3)
    recordMemberCount(store.db, dayOf(T) + 1, 5)
    recordMemberCount(store.db, dayOf(T) + 3, 4)
    const days = dailyStats(store.db, today, 5)
    expect(days).toEqual([
      { day: dayLabel(dayOf(T)), events: { '1': 2 }, members: 3 },
      { day: dayLabel(dayOf(T) + 1), events: {}, members: 5 },
      { day: dayLabel(dayOf(T) + 2), events: { '7': 1 }, members: 5 },
      { day: dayLabel(dayOf(T) + 3), events: {}, members: 4 },
      { day: dayLabel(dayOf(T) + 4), events: {}, members: 4 },
    ])
    expect(dayLabel(dayOf(Date.UTC(2026, 0, 31, 23, 59, 59) / 1000))).toBe('2026-01-31')
    // no member record before the window: 0 until the first one
    expect(dailyStats(store.db, dayOf(T) - 20, 2).map((d) => d.members)).toEqual([0, 3])
  })
})
