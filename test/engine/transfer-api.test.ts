// Caravel's export and import over the management API (docs/engine.md, "Caravel extensions to the management
// API"): a running engine over real HTTP and WebSockets, signed NIP-98 calls.
import http from 'node:http'
import { describe, expect, it } from 'vitest'
import { finalizeEvent, type NostrEvent } from 'nostr-tools/pure'
import { nip98Header } from '../../src/nostr/nip98.js'
import { Engine } from '../../src/engine/engine.js'
import {
  authedRelay,
  createRelay,
  keys,
  memberRelay,
  nip86,
  publish,
  query,
  RawClient,
  relaySetup,
  sign,
  silentLogger,
  suiteEngine,
  tempDir,
  type RelaySetup,
} from './helpers.js'

const te = suiteEngine()

const exportOf = (id: string) => te.api('GET', `/relay/${id}/export`)
const importInto = (id: string, jsonl: string, firstLine?: number) =>
  te.api('POST', `/relay/${id}/import${firstLine === undefined ? '' : `?first_line=${firstLine}`}`, undefined, { rawBody: jsonl })
const linesOf = (text: string) => text.split('\n').filter((l) => l !== '')
const idsOf = (lines: string[]) => lines.map((l) => (JSON.parse(l) as NostrEvent).id)

/** A relay with notes, replaced versions, a NIP-09 deletion, a member, a ban and its deletion. */
async function busyRelay(): Promise<RelaySetup> {
  const r = await createRelay(te, { management: { enabled: true }, policy: { public_join: true } })
  const owner = await authedRelay(te.url(r.host), r.owner)
  const now = Math.floor(Date.now() / 1000)
  const notes = [1, 2, 3].map((i) => sign(r.owner, { kind: 1, content: `note ${i}`, created_at: now - 86_400 * i }))
  for (const e of notes) expect(await publish(owner, e)).toBe('ok:')
  expect(await publish(owner, sign(r.owner, { kind: 0, content: '{"name":"old"}', created_at: now - 10 }))).toBe('ok:')
  expect(await publish(owner, sign(r.owner, { kind: 0, content: '{"name":"new"}', created_at: now - 5 }))).toBe('ok:')
  expect(await publish(owner, sign(r.owner, { kind: 5, tags: [['e', notes[0]!.id]] }))).toBe('ok:')
  const member = keys()
  const m = await memberRelay(te.url(r.host), member)
  expect(await publish(m, sign(member, { kind: 1, content: 'from a member' }))).toBe('ok:')
  m.close()
  const spammer = keys()
  const s = await memberRelay(te.url(r.host), spammer)
  expect(await publish(s, sign(spammer, { kind: 1, content: 'spam' }))).toBe('ok:')
  s.close()
  expect((await nip86(te, r.host, r.owner, 'banpubkey', [spammer.pk, 'spam'])).json()).toEqual({ result: true })
  owner.close()
  return r
}

describe('GET /relay/{id}/export', () => {
  it('streams the events as JSONL in the CLI export order and format, with X-Event-Count', async () => {
    const r = await busyRelay()
    const res = await exportOf(r.id)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/x-ndjson')
    const lines = linesOf(res.text)
    expect(res.text.endsWith('\n')).toBe(true)
    expect(Number(res.headers['x-event-count'])).toBe(lines.length)
    const cli: string[] = []
    expect(te.handle.exportRelay(r.id, (l) => cli.push(l))).toBe(lines.length)
    expect(lines).toEqual(cli)
    // relay-signed state is part of it: the member list and the ban list
    const events = lines.map((l) => JSON.parse(l) as NostrEvent)
    expect(events.some((e) => e.pubkey === r.self.pk && e.kind === 13534)).toBe(true)
    expect(events.some((e) => e.pubkey === r.self.pk && e.kind === 30078 && e.tags.some((t) => t[0] === 'd' && t[1] === 'zooid/banned_pubkeys'))).toBe(true)
    expect(events.some((e) => e.content === 'spam')).toBe(false)
  })

  it('unknown relay → 404, other methods → 405, a stranger → 403', async () => {
    const missing = await exportOf('no-such-relay')
    expect(missing.status).toBe(404)
    expect(missing.json()).toEqual({ error: 'relay not found' })
    expect((await te.api('POST', '/relay/no-such-relay/export')).status).toBe(405)
    expect((await te.api('GET', '/relay/no-such-relay/import')).status).toBe(405)
    expect((await te.api('POST', '/relay/no-such-relay/stats')).status).toBe(405)
    const stranger = await te.api('GET', '/relay/no-such-relay/export', undefined, { signer: keys() })
    expect(stranger.status).toBe(403)
  })

  it('an inactive relay still exports its data', async () => {
    const r = await createRelay(te)
    const owner = await authedRelay(te.url(r.host), r.owner)
    const note = sign(r.owner, { kind: 1, content: 'kept while inactive' })
    expect(await publish(owner, note)).toBe('ok:')
    owner.close()
    expect((await te.api('PATCH', `/relay/${r.id}`, { inactive: true })).status).toBe(200)
    const res = await exportOf(r.id)
    expect(res.status).toBe(200)
    expect(idsOf(linesOf(res.text))).toContain(note.id)
  })

  it('a client that goes away mid-export leaves the relay working', async () => {
    const r = await createRelay(te)
    const owner = await authedRelay(te.url(r.host), r.owner)
    for (let i = 0; i < 20; i++) expect(await publish(owner, sign(r.owner, { kind: 1, content: `n${i} ${'x'.repeat(4000)}` }))).toBe('ok:')
    const before = linesOf((await exportOf(r.id)).text).length
    const p = `/relay/${r.id}/export`
    const auth = nip98Header((t) => finalizeEvent(t, te.robot.sk), { url: `http://${te.apiHost}${p}`, method: 'GET' })
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: te.port, path: p, headers: { host: te.apiHost, authorization: auth }, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy()
          resolve()
        })
      })
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)))
      req.end()
    })
    expect(await publish(owner, sign(r.owner, { kind: 1, content: 'after' }))).toBe('ok:')
    expect(linesOf((await exportOf(r.id)).text)).toHaveLength(before + 1)
    owner.close()
  })
})

describe('export then import into a fresh relay', () => {
  it('yields the same event id set (the fresh relay adds only its own creation events)', async () => {
    const a = await busyRelay()
    const exported = linesOf((await exportOf(a.id)).text)
    const b = await createRelay(te)
    const before = new Set(idsOf(linesOf((await exportOf(b.id)).text)))
    // sent in two parts, as a client sending 1 MiB chunks does, numbering lines on
    const half = Math.floor(exported.length / 2)
    const first = await importInto(b.id, exported.slice(0, half).join('\n') + '\n')
    const second = await importInto(b.id, exported.slice(half).join('\n'), half + 1)
    expect(first.status).toBe(200)
    expect(second.status).toBe(200)
    expect(first.json().accepted + second.json().accepted).toBe(exported.length)
    expect([...first.json().refused, ...second.json().refused]).toEqual([])
    const after = idsOf(linesOf((await exportOf(b.id)).text)).filter((id) => !before.has(id))
    expect(new Set(after)).toEqual(new Set(idsOf(exported)))
    // and the events are served by the fresh relay
    const reader = await authedRelay(te.url(b.host), b.owner)
    const notes = await query(reader, [{ kinds: [1], authors: [a.owner.pk] }])
    expect(notes).toHaveLength(2)
    reader.close()
  })
})

describe('POST /relay/{id}/import', () => {
  it('reports bad lines by number from first_line, ignores blank lines, counts duplicates as skipped', async () => {
    const r = await createRelay(te)
    const author = keys()
    const good = [1, 2].map((i) => sign(author, { kind: 1, content: `imported ${i}` }))
    const tampered = { ...sign(author, { kind: 1, content: 'x' }), content: 'changed' }
    const body = [JSON.stringify(good[0]), '', '{not json', JSON.stringify(tampered), '   ', JSON.stringify(good[1]), JSON.stringify(good[0])].join('\r\n')
    const res = await importInto(r.id, body, 41)
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({
      accepted: 2,
      skipped: 1,
      refused: [
        { line: 43, reason: 'invalid json' },
        { line: 44, reason: 'invalid event id or signature' },
      ],
    })
    const defaultNumbering = await importInto(r.id, 'nope')
    expect(defaultNumbering.json()).toEqual({ accepted: 0, skipped: 0, refused: [{ line: 1, reason: 'invalid json' }] })
  })

  it('applies replaceable and kind 5 rules and bypasses access gates', async () => {
    const r = await createRelay(te) // private: the author below is no member
    const author = keys()
    const note = sign(author, { kind: 1, content: 'deleted later' })
    const deletion = sign(author, { kind: 5, tags: [['e', note.id]] })
    const older = sign(author, { kind: 0, content: 'old', created_at: 1000 })
    const newer = sign(author, { kind: 0, content: 'new', created_at: 2000 })
    // the deletion comes first: the note it names is skipped whatever the order
    const res = await importInto(r.id, [deletion, newer, note, older].map((e) => JSON.stringify(e)).join('\n'))
    expect(res.json()).toEqual({ accepted: 2, skipped: 2, refused: [] })
    const ids = idsOf(linesOf((await exportOf(r.id)).text))
    expect(ids).toContain(deletion.id)
    expect(ids).toContain(newer.id)
    expect(ids).not.toContain(note.id)
    expect(ids).not.toContain(older.id)
  })

  it('reloads members and bans from imported relay-signed events; live subscribers keep working', async () => {
    const r = await createRelay(te, { management: { enabled: true } })
    const watcher = await RawClient.open(te.url(r.host))
    await watcher.auth(r.owner, r.host)
    expect((await watcher.req('live', { kinds: [1] })).end[0]).toBe('EOSE')

    const newcomer = keys()
    const outcast = keys()
    const later = Math.floor(Date.now() / 1000) + 30
    const memberList = finalizeEvent(
      { kind: 13534, created_at: later, tags: [['-'], ['member', r.owner.pk], ['member', r.self.pk], ['member', newcomer.pk], ['member', outcast.pk]], content: '' },
      r.self.sk,
    )
    const banList = finalizeEvent(
      { kind: 30078, created_at: later, tags: [['d', 'zooid/banned_pubkeys'], ['-'], ['pubkey', outcast.pk, 'imported ban']], content: '' },
      r.self.sk,
    )
    const res = await importInto(r.id, [memberList, banList].map((e) => JSON.stringify(e)).join('\n'))
    expect(res.json()).toEqual({ accepted: 2, skipped: 0, refused: [] })

    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).toContain(newcomer.pk)
    expect((await nip86(te, r.host, r.owner, 'listbannedpubkeys', [])).json().result).toEqual([{ pubkey: outcast.pk, reason: 'imported ban' }])
    const n = await authedRelay(te.url(r.host), newcomer)
    const hello = sign(newcomer, { kind: 1, content: 'I was imported' })
    expect(await publish(n, hello)).toBe('ok:')
    n.close()
    // the subscription opened before the import still gets live events
    const live = await watcher.next((m) => m[0] === 'EVENT' && m[1] === 'live')
    expect(live[2].id).toBe(hello.id)
    watcher.close()
  })

  it('reloads groups from imported relay-signed group events', async () => {
    const r = await createRelay(te, { groups: { enabled: true } })
    const owner = await authedRelay(te.url(r.host), r.owner)
    expect(await publish(owner, sign(r.owner, { kind: 9, tags: [['h', 'moved']], content: 'hello?' }))).toBe('refused:invalid: group not found')
    const metadata = finalizeEvent({ kind: 39000, created_at: Math.floor(Date.now() / 1000), tags: [['d', 'moved'], ['name', 'Moved in']], content: '' }, r.self.sk)
    expect((await importInto(r.id, JSON.stringify(metadata))).json()).toEqual({ accepted: 1, skipped: 0, refused: [] })
    expect(await publish(owner, sign(r.owner, { kind: 9, tags: [['h', 'moved']], content: 'hello' }))).toBe('ok:')
    owner.close()
  })

  it('first_line must be an integer ≥ 1; bodies over 1 MiB → 413; unknown relay → 404', async () => {
    const r = await createRelay(te)
    for (const bad of ['0', '-1', 'abc', '1.5', '']) {
      const res = await te.api('POST', `/relay/${r.id}/import?first_line=${bad}`, undefined, { rawBody: '' })
      expect(res.status).toBe(400)
      expect(res.json()).toEqual({ error: 'first_line must be an integer ≥ 1' })
    }
    const big = await te.api('POST', `/relay/${r.id}/import`, undefined, { rawBody: 'x'.repeat(1_048_577), noPayload: true })
    expect(big.status).toBe(413)
    expect(big.json()).toEqual({ error: 'request body too large' })
    const missing = await importInto('no-such-relay', '')
    expect(missing.status).toBe(404)
    expect(missing.json()).toEqual({ error: 'relay not found' })
  })
})

describe('export keeps its relay open and reads a snapshot', () => {
  it('a relay being exported is not closed for others, and writes during the export are not in it', async () => {
    const engine = new Engine(tempDir(), '', silentLogger(), { maxOpenRelays: 1 })
    try {
      const a = relaySetup()
      const b = relaySetup()
      engine.createRelay(a.id, a.config)
      engine.createRelay(b.id, b.config)
      const relayA = [...engine.loadedRelays].find((x) => x.id === a.id)!
      const relayB = [...engine.loadedRelays].find((x) => x.id === b.id)!
      const lines: string[] = []
      let countAtStart = -1
      await engine.streamExport(a.id, async (cursor) => {
        countAtStart = cursor.count
        const first = cursor.lines.next()
        if (!first.done) lines.push(first.value)
        // Another relay opens with room for one: A is in use, so it stays open.
        relayB.ensureOpen()
        expect(relayA.isOpen).toBe(true)
        expect(engine.openStores).toBe(2)
        // A write to A meanwhile is committed but not part of this export.
        const note = sign(a.owner, { kind: 1, content: 'during the export' })
        const stored = relayA.accept(note)
        relayA.flush()
        expect((await stored).ok).toBe(true)
        for (let next = cursor.lines.next(); !next.done; next = cursor.lines.next()) lines.push(next.value)
      })
      expect(lines).toHaveLength(countAtStart)
      expect(lines.some((l) => l.includes('during the export'))).toBe(false)
      // once the export is over, A is idle and the pool closes it when the next relay opens
      relayA.ensureOpen()
      relayB.closeStore()
      expect(engine.stores.size).toBe(1)
    } finally {
      engine.close()
    }
  })
})
