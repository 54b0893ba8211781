// engine.md §6 / docs/engine.md "Open databases": relay stores open lazily and at most `maxOpenRelays` stay
// open; the least recently used idle ones are closed (WAL checkpointed) and reopened on demand with their
// members, bans and groups. Real sockets, temp dirs, a small maximum.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import {
  authedRelay,
  createRelay,
  groupEvent,
  httpRequest,
  keys,
  memberRelay,
  nip86,
  publish,
  query,
  RawClient,
  sign,
  startTestEngine,
  tempDir,
  type Keys,
  type RelaySetup,
  type TestEngine,
} from './helpers.js'

const MAX = 5
const RELAYS = 20

let te: TestEngine
let dataDir: string
/** The highest open-store count seen by `check()`. */
let highest = 0

function check(): number {
  const open = te.handle.openRelayStores
  highest = Math.max(highest, open)
  expect(open).toBeLessThanOrEqual(MAX)
  return open
}

const walFile = (id: string) => path.join(dataDir, 'relays', `${id}.sqlite-wal`)

beforeAll(async () => {
  dataDir = tempDir()
  te = await startTestEngine(dataDir, undefined, { maxOpenRelays: MAX })
})
afterAll(async () => {
  await te?.close()
})

interface Tenant {
  r: RelaySetup
  member: Keys
  banned: Keys
  note: NostrEvent
  bannedNote: NostrEvent
  groupPost: NostrEvent
}

const tenants: Tenant[] = []

/** Touches `n` other tenants' stores through NIP-86 (a management call), so `t`'s store is the LRU one. */
async function touchOthers(t: Tenant, n = MAX + 1): Promise<void> {
  let touched = 0
  for (const other of tenants) {
    if (other === t || touched >= n) continue
    expect((await nip86(te, other.r.host, other.r.owner, 'listbannedpubkeys', [])).status).toBe(200)
    check()
    touched++
  }
}

async function expectServed(t: Tenant): Promise<void> {
  const { r, member, banned } = t
  const url = te.url(r.host)
  // events: the member's note and group post are there, the banned author's note is gone
  const conn = await authedRelay(url, member)
  check()
  const stored = await query(conn, [{ kinds: [1, 9] }])
  expect(stored.map((e) => e.id)).toEqual(expect.arrayContaining([t.note.id, t.groupPost.id]))
  expect((await query(conn, [{ ids: [t.bannedNote.id] }])).length).toBe(0)
  // membership and groups came back with the store: the member may still post, also into group g
  expect(await publish(conn, sign(member, { kind: 1, content: `again on ${r.id}` }))).toBe('ok:')
  expect(await publish(conn, groupEvent(member, 9, 'g', [], 'in g again'))).toBe('ok:')
  expect(await publish(conn, groupEvent(member, 9, 'nope'))).toBe('refused:invalid: group not found')
  conn.close()
  // bans came back too
  const bannedConn = await authedRelay(url, banned)
  expect(await publish(bannedConn, sign(banned, { kind: 1, content: 'let me in' }))).toMatch(/^refused:/)
  bannedConn.close()
  expect((await nip86(te, r.host, r.owner, 'listbannedpubkeys', [])).json().result.map((b: { pubkey: string }) => b.pubkey)).toEqual([banned.pk])
  const members = (await te.api('GET', `/relay/${r.id}/members`)).json().members
  expect(members).toContain(member.pk)
  expect(members).not.toContain(banned.pk)
  check()
}

describe('more relays than open stores', () => {
  it(`creates ${RELAYS} relays through the management API with at most ${MAX} stores open, and each one works`, async () => {
    for (let i = 0; i < RELAYS; i++) {
      const r = await createRelay(te, { policy: { public_join: true }, management: { enabled: true }, groups: { enabled: true } })
      check()
      const url = te.url(r.host)
      const member = keys()
      const banned = keys()
      const owner = await authedRelay(url, r.owner)
      expect(await publish(owner, groupEvent(r.owner, 9007, 'g'))).toBe('ok:')
      owner.close()
      const m = await memberRelay(url, member)
      const note = sign(member, { kind: 1, content: `note on ${r.id}` })
      expect(await publish(m, note)).toBe('ok:')
      const groupPost = groupEvent(member, 9, 'g', [], 'in g')
      expect(await publish(m, groupPost)).toBe('ok:')
      m.close()
      const b = await memberRelay(url, banned)
      const bannedNote = sign(banned, { kind: 1, content: 'soon gone' })
      expect(await publish(b, bannedNote)).toBe('ok:')
      b.close()
      expect((await nip86(te, r.host, r.owner, 'banpubkey', [banned.pk, 'spam'])).json()).toEqual({ result: true })
      tenants.push({ r, member, banned, note, bannedNote, groupPost })
      check()
    }
    expect(highest).toBe(MAX)
    // the first relays' stores were closed, and closing checkpointed their WAL away
    expect(fs.existsSync(walFile(tenants[0]!.r.id))).toBe(false)

    // every relay serves its events, memberships, bans and groups after its store was closed and reopened
    for (const t of tenants) await expectServed(t)
    expect(highest).toBe(MAX)
  })

  it('NIP-11 and the HTML page answer from the catalog without opening stores', async () => {
    const t = tenants[0]!
    await touchOthers(t)
    const before = check()
    expect(fs.existsSync(walFile(t.r.id))).toBe(false)
    const doc = (await httpRequest(te.port, { host: t.r.host, headers: { accept: 'application/nostr+json' } })).json()
    expect(doc.self).toBe(t.r.self.pk)
    expect(doc.supported_nips).toContain(29)
    expect((await httpRequest(te.port, { host: t.r.host })).status).toBe(200)
    expect(te.handle.openRelayStores).toBe(before)
    expect(fs.existsSync(walFile(t.r.id))).toBe(false)
  })

  it('a relay with an open connection is never closed under it', async () => {
    const t = tenants[1]!
    const url = te.url(t.r.host)
    const listener = await authedRelay(url, t.member)
    const live: NostrEvent[] = []
    let eose!: () => void
    const ready = new Promise<void>((resolve) => (eose = resolve))
    const sub = listener.subscribe([{ kinds: [7] }], {
      onevent: (e) => live.push(e),
      oneose: () => eose(),
    })
    await ready
    // every other relay is used, several times over the maximum
    await touchOthers(t, RELAYS)
    for (const other of tenants.slice(2, 2 + MAX * 2)) {
      const c = await authedRelay(te.url(other.r.host), other.member)
      expect((await query(c, [{ ids: [other.note.id] }])).length).toBe(1)
      c.close()
      check()
    }
    // still open (its WAL is there), and the live subscription still gets new events
    expect(fs.existsSync(walFile(t.r.id))).toBe(true)
    const writer = await authedRelay(url, t.r.owner)
    const reaction = sign(t.r.owner, { kind: 7, content: '+', tags: [['e', t.note.id]] })
    expect(await publish(writer, reaction)).toBe('ok:')
    writer.close()
    await vi.waitFor(() => expect(live.map((e) => e.id)).toEqual([reaction.id]))
    expect(await publish(listener, sign(t.member, { kind: 1, content: 'still connected' }))).toBe('ok:')
    sub.close()
    listener.close()
    check()
  })

  it('export, purge and import work on a relay whose store is closed', async () => {
    const t = tenants[2]!
    await touchOthers(t)
    expect(fs.existsSync(walFile(t.r.id))).toBe(false)
    const lines: string[] = []
    expect(te.handle.exportRelay(t.r.id, (l) => lines.push(l))).toBe(lines.length)
    expect(lines.map((l) => JSON.parse(l).id)).toContain(t.note.id)
    check()

    await touchOthers(t)
    te.handle.purgeRelay(t.r.id)
    check()
    const members = (await te.api('GET', `/relay/${t.r.id}/members`)).json().members
    expect(members).not.toContain(t.member.pk)
    expect(members).toContain(t.r.owner.pk)

    await touchOthers(t)
    expect(fs.existsSync(walFile(t.r.id))).toBe(false)
    const summary = await te.handle.importRelay(t.r.id, lines, { reset: true })
    expect(summary.refused).toEqual([])
    check()
    await touchOthers(t)
    const exported: string[] = []
    te.handle.exportRelay(t.r.id, (l) => exported.push(l))
    expect(exported).toEqual(lines)
    const conn = await authedRelay(te.url(t.r.host), t.member)
    expect((await query(conn, [{ ids: [t.note.id] }])).length).toBe(1)
    expect(await publish(conn, groupEvent(t.member, 9, 'g', [], 'back in g'))).toBe('ok:')
    conn.close()
    check()
  })

  it('more connected relays than the maximum: the pool goes over only while they are in use', async () => {
    const conns: RawClient[] = []
    for (const t of tenants.slice(0, MAX + 2)) conns.push(await RawClient.open(te.url(t.r.host)))
    expect(te.handle.openRelayStores).toBeGreaterThanOrEqual(MAX + 2)
    for (const c of conns) {
      c.close()
      await c.closed
    }
    await vi.waitFor(() => expect(te.handle.openRelayStores).toBeLessThanOrEqual(MAX))
  })

  it('a restart opens no store, and then every relay still serves everything', async () => {
    await te.restart()
    expect(te.handle.openRelayStores).toBe(0)
    for (const t of tenants) {
      const doc = (await httpRequest(te.port, { host: t.r.host, headers: { accept: 'application/nostr+json' } })).json()
      expect(doc.name).toBe(`Relay ${t.r.host.split('.')[0]}`)
    }
    expect(te.handle.openRelayStores).toBe(0)
    for (const t of tenants) await expectServed(t)
    const listened = tenants[1]!
    const conn = await authedRelay(te.url(listened.r.host), listened.member)
    expect((await query(conn, [{ kinds: [1], authors: [listened.member.pk] }])).map((e) => e.content)).toContain('still connected')
    conn.close()
    check()
  })
})

describe('maximum from the environment', () => {
  it('ENGINE_MAX_OPEN_RELAYS is used when no option is given; a bad value stops start-up with one line', async () => {
    const saved = process.env.ENGINE_MAX_OPEN_RELAYS
    try {
      process.env.ENGINE_MAX_OPEN_RELAYS = '7'
      const local = await startTestEngine(tempDir())
      expect(local.handle.maxOpenRelays).toBe(7)
      await local.close()
      process.env.ENGINE_MAX_OPEN_RELAYS = 'lots'
      await expect(startTestEngine(tempDir())).rejects.toThrow(/^ENGINE_MAX_OPEN_RELAYS must be a positive whole number/)
    } finally {
      if (saved === undefined) delete process.env.ENGINE_MAX_OPEN_RELAYS
      else process.env.ENGINE_MAX_OPEN_RELAYS = saved
    }
  })
})
