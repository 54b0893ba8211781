// GET /relay/{id}/stats (docs/engine.md, "Caravel extensions to the management API"): after a scripted workload
// over real WebSockets, the per-(day, kind) counters equal a count of the events actually stored, and
// connections, members and storage are what they are.
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { SQL_DAY_OF_CREATED_AT, dayLabel, dayOf } from '../../src/engine/stats.js'
import { relayDbFile } from '../../src/engine/store.js'
import { authedRelay, createRelay, keys, memberRelay, nip86, plainRelay, publish, RawClient, sign, suiteEngine } from './helpers.js'

const te = suiteEngine()

const DAY = 86_400
const stats = (id: string, days?: number | string) => te.api('GET', `/relay/${id}/stats${days === undefined ? '' : `?days=${days}`}`)

describe('GET /relay/{id}/stats', () => {
  it('counters equal the stored events by UTC day of created_at and kind after a real workload', async () => {
    const r = await createRelay(te, { management: { enabled: true }, policy: { public_join: true } })
    const url = te.url(r.host)
    const now = Math.floor(Date.now() / 1000)
    const owner = await authedRelay(url, r.owner)
    const alice = keys()
    const bob = keys()
    const a = await memberRelay(url, alice)
    const b = await memberRelay(url, bob)
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [keys().pk])).json()).toEqual({ result: true })

    // several kinds over several days, one of them published twice
    const notes = [0, 1, 2].map((d) => sign(r.owner, { kind: 1, content: `day -${d}`, created_at: now - d * DAY }))
    for (const e of notes) expect(await publish(owner, e)).toBe('ok:')
    expect(await publish(owner, notes[2]!)).toBe('ok:duplicate: already have this event')
    expect(await publish(owner, sign(r.owner, { kind: 7, content: '+', tags: [['e', notes[0]!.id]] }))).toBe('ok:')
    // replaceable and addressable versions replacing older ones on other days
    expect(await publish(owner, sign(r.owner, { kind: 0, content: '{"name":"old"}', created_at: now - 3 * DAY }))).toBe('ok:')
    expect(await publish(owner, sign(r.owner, { kind: 0, content: '{"name":"new"}', created_at: now }))).toBe('ok:')
    expect(await publish(owner, sign(r.owner, { kind: 30023, tags: [['d', 'post']], content: 'v1', created_at: now - 2 * DAY }))).toBe('ok:')
    expect(await publish(owner, sign(r.owner, { kind: 30023, tags: [['d', 'post']], content: 'v2', created_at: now - DAY }))).toBe('ok:')
    // ephemeral: delivered, never stored
    expect(await publish(owner, sign(r.owner, { kind: 20001, content: 'typing' }))).toBe('ok:')
    // refused: a non-member, a bad signature, an expired event
    const stranger = keys()
    const s = await authedRelay(url, stranger)
    expect(await publish(s, sign(stranger, { kind: 1, content: 'let me in' }))).toMatch(/^refused:/)
    const tampered = { ...sign(r.owner, { kind: 1, content: 'x' }), content: 'changed' }
    expect(await publish(owner, tampered)).toMatch(/^refused:/)
    expect(await publish(owner, sign(r.owner, { kind: 1, tags: [['expiration', String(now - 10)]] }))).toMatch(/^refused:/)
    // NIP-09: alice deletes one of her two notes
    const aliceNotes = [sign(alice, { kind: 1, content: 'keep', created_at: now - DAY }), sign(alice, { kind: 1, content: 'regret' })]
    for (const e of aliceNotes) expect(await publish(a, e)).toBe('ok:')
    expect(await publish(a, sign(alice, { kind: 5, tags: [['e', aliceNotes[1]!.id]] }))).toBe('ok:')
    // a ban deletes bob's events
    expect(await publish(b, sign(bob, { kind: 1, content: 'spam', created_at: now - 2 * DAY }))).toBe('ok:')
    expect(await publish(b, sign(bob, { kind: 7, content: '-' }))).toBe('ok:')
    expect((await nip86(te, r.host, r.owner, 'banpubkey', [bob.pk, 'spam'])).json()).toEqual({ result: true })
    // an import: older days, a duplicate, a deletion of one imported event, a bad line
    const carol = keys()
    const imported = [5, 4, 4].map((d, i) => sign(carol, { kind: i === 2 ? 7 : 1, content: `imported ${i}`, created_at: now - d * DAY }))
    const undo = sign(carol, { kind: 5, tags: [['e', imported[1]!.id]], created_at: now - 4 * DAY })
    const body = [...imported, notes[0]!, undo].map((e) => JSON.stringify(e)).concat('{bad').join('\n')
    expect((await te.api('POST', `/relay/${r.id}/import`, undefined, { rawBody: body })).json()).toEqual({
      accepted: 4,
      skipped: 1,
      refused: [{ line: 6, reason: 'invalid json' }],
    })
    const watcher = await RawClient.open(url)
    const anonymous = await plainRelay(url)
    const open = 6 // owner, alice, bob, stranger, watcher, anonymous

    const res = await stats(r.id, 7)
    expect(res.status).toBe(200)
    const body2 = res.json()
    const file = relayDbFile(te.dataDir, r.id)
    const db = new Database(file, { readonly: true })
    try {
      const stored = db
        .prepare(`SELECT ${SQL_DAY_OF_CREATED_AT} AS day, kind, count(*) AS count FROM events GROUP BY 1, 2 ORDER BY 1, 2`)
        .all() as { day: number; kind: number; count: number }[]
      // every counter, in the window or not, equals the stored events
      expect(db.prepare('SELECT day, kind, count FROM event_counts WHERE count != 0 ORDER BY day, kind').all()).toEqual(stored)
      const today = dayOf(now)
      const expected = Array.from({ length: 7 }, (_, i) => {
        const day = today - 6 + i
        const events: Record<string, number> = {}
        for (const row of stored) if (row.day === day) events[String(row.kind)] = row.count
        return { day: dayLabel(day), events }
      })
      expect(body2.daily.map((d: { day: string; events: unknown }) => ({ day: d.day, events: d.events }))).toEqual(expected)
      expect(body2.events_total).toBe(db.prepare('SELECT count(*) FROM events').pluck().get())
      // the workload reached the counters: replaced, deleted, banned and ephemeral events are not counted
      expect(expected[6]!.events['0']).toBe(1)
      expect(expected[3]!.events['0']).toBeUndefined()
      expect(expected[4]!.events['30023']).toBeUndefined()
      expect(expected[5]!.events['30023']).toBe(1)
      expect(expected[4]!.events['1']).toBe(1) // bob's day -2 note went with the ban
      expect(expected[2]!.events).toEqual({ '5': 1, '7': 1 }) // carol's day -4: the 1 was deleted
      expect(expected.some((d) => d.events['20001'])).toBe(false)
    } finally {
      db.close()
    }
    const members = (await te.api('GET', `/relay/${r.id}/members`)).json().members as string[]
    expect(members).not.toContain(bob.pk)
    expect(body2.members).toBe(members.length)
    expect(body2.daily.at(-1).members).toBe(members.length)
    expect(body2.connections).toBe(open)
    const size = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0
    expect(body2.storage_bytes).toBe(size(file) + size(`${file}-wal`))
    expect(body2.storage_bytes).toBeGreaterThan(0)
    for (const c of [owner, a, b, s, anonymous]) c.close()
    watcher.close()
  })

  it('daily members follow membership changes, carried forward, every day present', async () => {
    const r = await createRelay(te, { policy: { public_join: true } })
    const base = (await stats(r.id)).json()
    expect(base.daily).toHaveLength(30)
    expect(base.daily.at(-1).day).toBe(dayLabel(dayOf(Math.floor(Date.now() / 1000))))
    expect(base.daily.at(-1).members).toBe(2) // self and owner
    expect(base.daily[0].members).toBe(0) // before the relay existed
    const joiner = keys()
    const j = await memberRelay(te.url(r.host), joiner)
    j.close()
    expect((await stats(r.id, 1)).json().daily).toEqual([{ day: base.daily.at(-1).day, events: expect.any(Object), members: 3 }])
  })

  it('days must be an integer from 1 to 366; unknown relay → 404', async () => {
    const r = await createRelay(te)
    for (const bad of ['0', '367', 'x', '1.5', '-3', '']) {
      const res = await stats(r.id, bad)
      expect(res.status).toBe(400)
      expect(res.json()).toEqual({ error: 'days must be an integer from 1 to 366' })
    }
    expect((await stats(r.id, 366)).json().daily).toHaveLength(366)
    const missing = await stats('no-such-relay')
    expect(missing.status).toBe(404)
    expect(missing.json()).toEqual({ error: 'relay not found' })
  })

  it('an inactive relay reports its stored data and no connections', async () => {
    const r = await createRelay(te)
    const owner = await authedRelay(te.url(r.host), r.owner)
    const note: NostrEvent = sign(r.owner, { kind: 1, content: 'kept' })
    expect(await publish(owner, note)).toBe('ok:')
    owner.close()
    expect((await te.api('PATCH', `/relay/${r.id}`, { inactive: true })).status).toBe(200)
    const body = (await stats(r.id, 1)).json()
    expect(body.connections).toBe(0)
    expect(body.daily[0].events['1']).toBe(1)
    expect(body.members).toBe(2)
  })
})
