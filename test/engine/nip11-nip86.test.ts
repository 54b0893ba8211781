// engine.md §5.2, §5.7, §5.4 and §7 rows 15, 16, 18: NIP-11, NIP-86 and signature stripping.
import { describe, expect, it } from 'vitest'
import {
  authedRelay,
  createRelay,
  httpRequest,
  keys,
  nip86,
  publish,
  query,
  RawClient,
  sign,
  suiteEngine,
} from './helpers.js'

const te = suiteEngine()

const info = (host: string) => httpRequest(te.port, { host, headers: { accept: 'application/nostr+json' } })

describe('NIP-11 (row 15)', () => {
  it('self, owner, auth_required, CORS, only implemented and enabled NIPs', async () => {
    const relay = await createRelay(te, { blossom: { enabled: true }, push: { enabled: true } })
    const res = await info(relay.host)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/nostr+json')
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, Accept')
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS')
    const doc = res.json()
    expect(doc.self).toBe(relay.self.pk)
    expect(doc.pubkey).toBe(relay.owner.pk)
    expect(doc.name).toBe(relay.config.info.name)
    expect(doc).not.toHaveProperty('icon')
    expect(doc).not.toHaveProperty('description')
    expect(doc.supported_nips).toEqual([1, 9, 11, 40, 42, 43, 70])
    expect(doc.limitation).toMatchObject({
      auth_required: true,
      restricted_writes: true,
      payment_required: false,
      max_message_length: 524288,
      max_subscriptions: 50,
      max_limit: 1000,
      default_limit: 1000,
      max_subid_length: 64,
      max_event_tags: 5000,
      max_content_length: 262144,
      created_at_upper_limit: 900,
    })
    expect(typeof doc.software).toBe('string')
    expect(typeof doc.version).toBe('string')

    expect((await te.api('PATCH', `/relay/${relay.id}`, { management: { enabled: true } })).status).toBe(200)
    expect((await info(relay.host)).json().supported_nips).toEqual([1, 9, 11, 40, 42, 43, 70, 86])
  })

  it('OPTIONS → 204 with CORS; plain GET → HTML; other paths → 404 (Blossom off)', async () => {
    const r = await createRelay(te)
    const pre = await httpRequest(te.port, { method: 'OPTIONS', path: '/upload', host: r.host })
    expect(pre.status).toBe(204)
    expect(pre.headers['access-control-allow-origin']).toBe('*')
    const page = await httpRequest(te.port, { host: r.host })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.text).toContain(r.config.info.name)
    const upload = await httpRequest(te.port, { method: 'HEAD', path: '/upload', host: r.host })
    expect(upload.status).toBe(404)
  })
})

describe('NIP-86 (row 16)', () => {
  it('disabled → 404 management is not enabled', async () => {
    const r = await createRelay(te)
    const res = await nip86(te, r.host, r.owner, 'supportedmethods', [])
    expect(res.status).toBe(404)
    expect(res.json()).toEqual({ result: null, error: 'management is not enabled' })
  })

  it('banpubkey by an admin → true, member and their events gone; by a non-admin → blocked:; no payload → 401', async () => {
    const victim = keys()
    const r = await createRelay(te, { management: { enabled: true }, policy: { public_join: true } })
    const url = te.url(r.host)
    const v = await authedRelay(url, victim)
    expect(await publish(v, sign(victim, { kind: 28934 }))).toMatch(/^ok:info:/)
    const note = sign(victim, { kind: 1, content: 'spam' })
    expect(await publish(v, note)).toBe('ok:')
    v.close()

    const notAdmin = await nip86(te, r.host, victim, 'banpubkey', [victim.pk])
    expect(notAdmin.status).toBe(200)
    expect(notAdmin.json()).toEqual({ result: null, error: 'blocked: only relay admins can manage this relay.' })

    const noPayload = await nip86(te, r.host, r.owner, 'banpubkey', [victim.pk], { noPayload: true })
    expect(noPayload.status).toBe(401)
    expect(noPayload.json()).toEqual({ result: null, error: 'event missing or invalid payload tag' })
    const wrongUrl = await nip86(te, r.host, r.owner, 'banpubkey', [victim.pk], { url: 'https://elsewhere.localhost/' })
    expect(wrongUrl.status).toBe(401)

    const ban = await nip86(te, r.host, r.owner, 'banpubkey', [victim.pk, 'spam'])
    expect(ban.json()).toEqual({ result: true })
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).not.toContain(victim.pk)
    const owner = await authedRelay(url, r.owner)
    expect(await query(owner, [{ authors: [victim.pk] }])).toEqual([])
    const removed = await query(owner, [{ kinds: [8001], '#p': [victim.pk] }])
    expect(removed.length).toBe(1)
    owner.close()
    expect((await nip86(te, r.host, r.owner, 'listbannedpubkeys', [])).json()).toEqual({ result: [{ pubkey: victim.pk, reason: 'spam' }] })

    const again = await authedRelay(url, victim)
    expect(await publish(again, sign(victim, { kind: 1 }))).toBe('refused:blocked: you are banned from this relay')
    again.close()

    // unbanpubkey lifts the ban only; allowpubkey makes a member again
    expect((await nip86(te, r.host, r.owner, 'unbanpubkey', [victim.pk])).json()).toEqual({ result: true })
    expect((await nip86(te, r.host, r.owner, 'listbannedpubkeys', [])).json()).toEqual({ result: [] })
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).not.toContain(victim.pk)
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [victim.pk])).json()).toEqual({ result: true })
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).toContain(victim.pk)
    const allowed = (await nip86(te, r.host, r.owner, 'listallowedpubkeys', [])).json().result
    expect(allowed).toContainEqual({ pubkey: victim.pk, reason: 'relay member' })
    expect((await nip86(te, r.host, r.owner, 'unallowpubkey', [victim.pk])).json()).toEqual({ result: true })
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).not.toContain(victim.pk)
  })

  it('configured members cannot be banned; bad params and unknown methods are errors', async () => {
    const mod = keys()
    const r = await createRelay(te, { management: { enabled: true }, roles: { mods: { pubkeys: [mod.pk], can_manage: true } } })
    expect((await nip86(te, r.host, mod, 'banpubkey', [r.owner.pk])).json()).toEqual({
      result: null,
      error: 'restricted: pubkey is a configured member',
    })
    expect((await nip86(te, r.host, mod, 'banpubkey', ['xyz'])).json().error).toMatch(/^invalid params: /)
    expect((await nip86(te, r.host, mod, 'grantadmin', [])).json()).toEqual({ result: null, error: 'unsupported method: grantadmin' })
    const methods = (await nip86(te, r.host, mod, 'supportedmethods', [])).json().result
    expect(methods).toEqual(expect.arrayContaining(['banpubkey', 'unbanpubkey', 'allowpubkey', 'unallowpubkey', 'banevent', 'changerelayname']))
  })

  it('banevent deletes and blocks an event; allowevent lifts it; changerelayname updates NIP-11 at once', async () => {
    const r = await createRelay(te, { management: { enabled: true } })
    const owner = await authedRelay(te.url(r.host), r.owner)
    const note = sign(r.owner, { kind: 1, content: 'oops' })
    expect(await publish(owner, note)).toBe('ok:')
    expect((await nip86(te, r.host, r.owner, 'banevent', [note.id, 'bad'])).json()).toEqual({ result: true })
    expect(await query(owner, [{ ids: [note.id] }])).toEqual([])
    expect(await publish(owner, note)).toBe('refused:blocked: this event has been banned')
    expect((await nip86(te, r.host, r.owner, 'listbannedevents', [])).json()).toEqual({ result: [{ id: note.id, reason: 'bad' }] })
    expect((await nip86(te, r.host, r.owner, 'allowevent', [note.id])).json()).toEqual({ result: true })
    expect(await publish(owner, note)).toBe('ok:')
    owner.close()

    expect((await nip86(te, r.host, r.owner, 'changerelayname', ['Renamed'])).json()).toEqual({ result: true })
    expect((await nip86(te, r.host, r.owner, 'changerelaydescription', ['About'])).json()).toEqual({ result: true })
    const doc = (await info(r.host)).json()
    expect(doc.name).toBe('Renamed')
    expect(doc.description).toBe('About')
    // internal ban state (30078 zooid/…) is never delivered, not even to admins
    const o2 = await authedRelay(te.url(r.host), r.owner)
    expect(await query(o2, [{ kinds: [30078] }])).toEqual([])
    o2.close()
  })
})

describe('strip_signatures (row 18)', () => {
  it('a member gets a zeroed sig, an admin the real one', async () => {
    const m = keys()
    const r = await createRelay(te, { policy: { strip_signatures: true }, roles: { crew: { pubkeys: [m.pk] } } })
    const ownerRelay = await authedRelay(te.url(r.host), r.owner)
    const note = sign(r.owner, { kind: 1, content: 'signed' })
    expect(await publish(ownerRelay, note)).toBe('ok:')
    const adminView = await query(ownerRelay, [{ ids: [note.id] }])
    expect(adminView[0]!.sig).toBe(note.sig)

    const c = await RawClient.open(te.url(r.host))
    await c.auth(m, r.host)
    const stored = await c.req('s', { ids: [note.id] })
    expect(stored.events[0].sig).toBe('0'.repeat(128))
    expect(stored.events[0].id).toBe(note.id)
    // live events are stripped too
    c.send(['REQ', 'live', { kinds: [1], '#t': ['strip'] }])
    await c.next((x) => x[0] === 'EOSE' && x[1] === 'live')
    const liveNote = sign(r.owner, { kind: 1, tags: [['t', 'strip']] })
    expect(await publish(ownerRelay, liveNote)).toBe('ok:')
    const live = await c.next((x) => x[0] === 'EVENT' && x[1] === 'live')
    expect(live[2].sig).toBe('0'.repeat(128))
    c.close()
    ownerRelay.close()
  })
})
