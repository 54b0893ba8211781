import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { parseFilter } from './nip01.js'
import { applyDeletion } from './nip09.js'
import { RelayStore, relayDbFile } from './store.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caravel-store-'))
const store = new RelayStore(path.join(dir, 'r.sqlite'))
afterAll(() => store.close())
const sk = generateSecretKey()
const pk = getPublicKey(sk)
const ev = (kind: number, created_at: number, tags: string[][] = [], content = '') =>
  finalizeEvent({ kind, created_at, tags, content }, sk)
const ids = (rows: { id: string }[]) => rows.map((r) => r.id)

describe('RelayStore', () => {
  it('uses WAL and synchronous=FULL', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2)
  })

  it('orders newest first, id ascending on ties, and honours limit', () => {
    const a = ev(1, 10, [], 'a')
    const b = ev(1, 10, [], 'b')
    const c = ev(1, 11, [], 'c')
    store.transaction(() => [a, b, c].forEach((e) => store.put(e)))
    const [lo, hi] = a.id < b.id ? [a, b] : [b, a]
    expect(ids(store.query(parseFilter({ kinds: [1] }), 0))).toEqual([c.id, lo.id, hi.id])
    expect(ids(store.query(parseFilter({ kinds: [1], limit: 1 }), 0))).toEqual([c.id])
    expect(store.put(a)).toBe('duplicate')
  })

  it('keeps the newest replaceable version and deletes by NIP-09 rules', () => {
    const old = ev(0, 5)
    const cur = ev(0, 6)
    store.transaction(() => {
      expect(store.put(cur)).toBe('stored')
      expect(store.put(old)).toBe('older')
    })
    expect(ids(store.query(parseFilter({ kinds: [0] }), 0))).toEqual([cur.id])
    const target = ev(1, 20, [['t', 'x']])
    const del = ev(5, 21, [['e', target.id]])
    store.transaction(() => {
      store.put(target)
      store.put(del)
      applyDeletion(store, del)
    })
    expect(store.query(parseFilter({ ids: [target.id] }), 0)).toEqual([])
    expect(store.isDeleted(target)).toBe(true)
  })

  it('never serves expired events and sweeps them', () => {
    const e = ev(1, 30, [['expiration', '100']])
    store.transaction(() => store.put(e))
    expect(ids(store.query(parseFilter({ ids: [e.id] }), 99))).toEqual([e.id])
    expect(store.query(parseFilter({ ids: [e.id] }), 100)).toEqual([])
    expect(store.purgeExpired(100)).toBe(1)
  })

  it('serves REQs by authors, kinds, tags and time from indexes (no full scan)', () => {
    const plans: string[] = []
    const statement = (store as unknown as { statement: (sql: string) => unknown }).statement.bind(store)
    ;(store as unknown as { statement: (sql: string) => unknown }).statement = (sql: string) => {
      const n = (sql.match(/\?/g) ?? []).length
      plans.push((store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(n).fill('1')) as { detail: string }[]).map((r) => r.detail).join(' | '))
      return statement(sql)
    }
    const filters = [
      { authors: [pk] },
      { authors: [pk, pk.replace(/^./, '0')] },
      { kinds: [1] },
      { authors: [pk], kinds: [1] },
      { '#t': ['x'] },
      { '#t': ['x', 'y'], kinds: [1] },
      { ids: ['a'.repeat(64)] },
      { since: 5, until: 10 },
    ]
    for (const f of filters) store.query(parseFilter(f), 0)
    expect(plans).toHaveLength(filters.length)
    for (const plan of plans) {
      expect(plan).toMatch(/USING (INDEX|INTEGER PRIMARY KEY)/)
      expect(plan).not.toMatch(/SCAN e(?! USING)/)
    }
  })

  it('maps relay ids to safe file names', () => {
    expect(relayDbFile('/d', 'abc-1')).toBe('/d/relays/abc-1.sqlite')
    expect(relayDbFile('/d', '../x')).toMatch(/^\/d\/relays\/~[0-9a-f]+\.sqlite$/)
  })
})
