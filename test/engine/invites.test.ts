// Caravel managed invites and the join log (docs/engine.md, Caravel extensions): the management API's
// /relay/{id}/invites routes, joins with them over real WebSockets, members?detail=true, and their storage as
// internal events that survive a restart and travel in an export.
import { describe, expect, it } from 'vitest'
import { finalizeEvent } from 'nostr-tools/pure'
import {
  authedRelay,
  createRelay,
  joinWithClaim,
  keys,
  nip86,
  publish,
  query,
  sign,
  suiteEngine,
  type RelaySetup,
} from './helpers.js'

const te = suiteEngine()

const JOINED = 'ok:info: you are now a member of this relay'
const INVALID_CODE = 'refused:invalid: failed to validate invite code'

async function createInvite(r: RelaySetup, body: unknown = {}) {
  const res = await te.api('POST', `/relay/${r.id}/invites`, body)
  expect(res.status).toBe(201)
  return res.json()
}
const listInvites = async (r: RelaySetup) => (await te.api('GET', `/relay/${r.id}/invites`)).json().invites
const details = async (r: RelaySetup) => (await te.api('GET', `/relay/${r.id}/members?detail=true`)).json().members

describe('managed invites (management API)', () => {
  it('POST creates an invite; GET lists them newest first with their uses and joins', async () => {
    const r = await createRelay(te)
    const before = Math.floor(Date.now() / 1000)
    const first = await createInvite(r, { label: 'launch party', max_uses: 2, expires_at: before + 3600 })
    expect(first).toEqual({
      code: expect.stringMatching(/^[A-Z0-9]{8}$/),
      label: 'launch party',
      created_at: expect.any(Number),
      max_uses: 2,
      expires_at: before + 3600,
      revoked: false,
      uses: 0,
      joins: [],
    })
    expect(first.created_at).toBeGreaterThanOrEqual(before)
    const second = await createInvite(r)
    expect(second).toMatchObject({ label: '', max_uses: null, expires_at: null, revoked: false, uses: 0 })
    expect(second.code).not.toBe(first.code)

    const joiner = keys()
    expect(await joinWithClaim(te.url(r.host), joiner, first.code)).toBe(JOINED)
    const invites = await listInvites(r)
    expect(invites.map((i: { code: string }) => i.code).sort()).toEqual([first.code, second.code].sort())
    for (let i = 1; i < invites.length; i++) expect(invites[i - 1].created_at).toBeGreaterThanOrEqual(invites[i].created_at)
    const used = invites.find((i: { code: string }) => i.code === first.code)
    expect(used.uses).toBe(1)
    expect(used.joins).toEqual([{ pubkey: joiner.pk, joined_at: expect.any(Number) }])
    expect(used.joins[0].joined_at).toBeGreaterThanOrEqual(before)
  })

  it('a claim works until max_uses is reached; the relay being full does not use it up', async () => {
    const r = await createRelay(te, { policy: { max_members: 1 } })
    const url = te.url(r.host)
    const invite = await createInvite(r, { max_uses: 1 })
    const [a, b] = [keys(), keys()]
    expect(await joinWithClaim(url, a, 'NOTACODE')).toBe(INVALID_CODE)
    expect(await joinWithClaim(url, a, invite.code)).toBe(JOINED)
    expect(await joinWithClaim(url, b, invite.code)).toBe(INVALID_CODE)

    const roomy = await createInvite(r, { max_uses: 5 })
    expect(await joinWithClaim(url, b, roomy.code)).toBe('refused:restricted: this relay is full')
    expect((await listInvites(r)).find((i: { code: string }) => i.code === roomy.code).uses).toBe(0)
  })

  it('DELETE revokes (history kept); the code stops working; unknown codes are 404', async () => {
    const r = await createRelay(te)
    const url = te.url(r.host)
    const invite = await createInvite(r, { label: 'old' })
    const early = keys()
    expect(await joinWithClaim(url, early, invite.code)).toBe(JOINED)
    const revoked = await te.api('DELETE', `/relay/${r.id}/invites/${invite.code}`)
    expect(revoked.status).toBe(200)
    expect(revoked.json()).toMatchObject({ code: invite.code, label: 'old', revoked: true, uses: 1, joins: [{ pubkey: early.pk }] })
    expect(await joinWithClaim(url, keys(), invite.code)).toBe(INVALID_CODE)
    expect((await listInvites(r))[0]).toMatchObject({ code: invite.code, revoked: true, uses: 1 })
    // revoking again changes nothing
    expect((await te.api('DELETE', `/relay/${r.id}/invites/${invite.code}`)).json()).toEqual(revoked.json())
    const unknown = await te.api('DELETE', `/relay/${r.id}/invites/ZZZZZZZZ`)
    expect([unknown.status, unknown.json()]).toEqual([404, { error: 'invite not found' }])
  })

  it('an expired invite is refused (an invite event imported with expires_at in the past)', async () => {
    const r = await createRelay(te)
    const past = Math.floor(Date.now() / 1000) - 10
    const expired = finalizeEvent(
      {
        kind: 30078,
        created_at: past - 100,
        tags: [['d', 'zooid/invite/EXPIRED1'], ['-'], ['code', 'EXPIRED1'], ['created_at', String(past - 100)], ['expires_at', String(past)]],
        content: '',
      },
      r.self.sk,
    )
    const summary = await te.handle.importRelay(r.id, [JSON.stringify(expired)])
    expect(summary.accepted).toBe(1)
    expect((await listInvites(r))[0]).toMatchObject({ code: 'EXPIRED1', expires_at: past, revoked: false })
    expect(await joinWithClaim(te.url(r.host), keys(), 'EXPIRED1')).toBe(INVALID_CODE)
  })

  it('validates the body and routes like the rest of the API', async () => {
    const r = await createRelay(te)
    const cases: [unknown, string][] = [
      [[], 'invalid json: expected a JSON object'],
      [{ label: 'x'.repeat(101) }, 'label must be at most 100 characters'],
      [{ max_uses: 0 }, 'max_uses must be a whole number of 1 or more, or null'],
      [{ expires_at: 1 }, 'expires_at must be in the future'],
    ]
    for (const [body, error] of cases) {
      const res = await te.api('POST', `/relay/${r.id}/invites`, body)
      expect([res.status, res.json()]).toEqual([400, { error }])
    }
    const broken = await te.api('POST', `/relay/${r.id}/invites`, undefined, { rawBody: '{"label":' })
    expect(broken.status).toBe(400)
    expect(broken.json().error).toMatch(/^invalid json: /)
    expect((await te.api('PUT', `/relay/${r.id}/invites`, {})).status).toBe(405)
    expect((await te.api('GET', `/relay/${r.id}/invites/ABCDEFGH`)).status).toBe(405)
    expect((await te.api('GET', `/relay/nope/invites`)).json()).toEqual({ error: 'relay not found' })
    expect((await te.api('POST', `/relay/nope/invites`, {})).status).toBe(404)
    const stranger = await te.api('GET', `/relay/${r.id}/invites`, undefined, { signer: keys() })
    expect([stranger.status, stranger.json()]).toEqual([403, { error: 'pubkey not in whitelist' }])
    expect(await listInvites(r)).toEqual([])
  })

  it('an inactive relay lists its invites but cannot change them', async () => {
    const r = await createRelay(te)
    const invite = await createInvite(r)
    expect((await te.api('PATCH', `/relay/${r.id}`, { inactive: true })).status).toBe(200)
    expect((await listInvites(r)).map((i: { code: string }) => i.code)).toEqual([invite.code])
    const res = await te.api('POST', `/relay/${r.id}/invites`, {})
    expect([res.status, res.json()]).toEqual([409, { error: 'relay is inactive' }])
    expect((await te.api('DELETE', `/relay/${r.id}/invites/${invite.code}`)).status).toBe(409)
  })
})

describe('how members joined (members?detail=true)', () => {
  it('records invite, claim, public and api joins; without detail the answer stays a list of pubkeys', async () => {
    const r = await createRelay(te, { policy: { public_join: true }, management: { enabled: true } })
    const url = te.url(r.host)
    const owner = await authedRelay(url, r.owner)
    const claim = (await query(owner, [{ kinds: [28935] }]))[0]!.tags.find((t) => t[0] === 'claim')![1]!
    owner.close()
    const invite = await createInvite(r)
    const [viaInvite, viaClaim, viaPublic, viaApi] = [keys(), keys(), keys(), keys()]
    expect(await joinWithClaim(url, viaInvite, invite.code)).toBe(JOINED)
    expect(await joinWithClaim(url, viaClaim, claim)).toBe(JOINED)
    expect(await joinWithClaim(url, viaPublic)).toBe(JOINED)
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [viaApi.pk])).json()).toEqual({ result: true })

    const plain = (await te.api('GET', `/relay/${r.id}/members`)).json()
    expect(Object.keys(plain)).toEqual(['members'])
    expect(plain.members.every((m: unknown) => typeof m === 'string')).toBe(true)

    const detail = await details(r)
    expect(detail.map((m: { pubkey: string }) => m.pubkey)).toEqual(plain.members)
    const of = (pk: string) => detail.find((m: { pubkey: string }) => m.pubkey === pk)
    expect(of(viaInvite.pk)).toEqual({ pubkey: viaInvite.pk, joined_at: expect.any(Number), via: 'invite', code: invite.code })
    expect(of(viaClaim.pk)).toMatchObject({ via: 'claim', code: claim })
    expect(of(viaPublic.pk)).toMatchObject({ via: 'public', code: null })
    expect(of(viaApi.pk)).toMatchObject({ via: 'api', code: null })
    expect(of(r.owner.pk)).toMatchObject({ via: 'api', code: null })
  })

  it('codes, invites and join records are never delivered to clients, not even to admins', async () => {
    const r = await createRelay(te)
    const invite = await createInvite(r)
    const joiner = keys()
    expect(await joinWithClaim(te.url(r.host), joiner, invite.code)).toBe(JOINED)
    for (const reader of [r.owner, joiner]) {
      const relay = await authedRelay(te.url(r.host), reader)
      const seen = await query(relay, [{ kinds: [30078] }, { '#p': [joiner.pk] }, { kinds: [8000, 13534] }])
      relay.close()
      expect(seen.length).toBeGreaterThan(0) // the 8000 and 13534 are there
      expect(JSON.stringify(seen)).not.toContain(invite.code)
      expect(seen.filter((e) => e.kind === 30078)).toEqual([])
    }
    // nor can a client publish one
    const relay = await authedRelay(te.url(r.host), r.owner)
    const forged = sign(r.owner, { kind: 30078, tags: [['d', `zooid/invite/${invite.code}`], ['code', invite.code]] })
    expect(await publish(relay, forged)).toBe("refused:invalid: this event's kind is not accepted")
    relay.close()
  })
})

describe('storage', () => {
  it('invites, uses and join records survive a restart, and an export imported back into the purged relay', async () => {
    const r = await createRelay(te)
    const invite = await createInvite(r, { label: 'kept', max_uses: 2 })
    const joiner = keys()
    expect(await joinWithClaim(te.url(r.host), joiner, invite.code)).toBe(JOINED)
    const invitesBefore = await listInvites(r)
    const detailBefore = await details(r)

    await te.restart()
    expect(await listInvites(r)).toEqual(invitesBefore)
    expect(await details(r)).toEqual(detailBefore)

    const lines: string[] = []
    te.handle.exportRelay(r.id, (line) => lines.push(line))
    te.handle.purgeRelay(r.id)
    expect(await listInvites(r)).toEqual([])
    expect((await details(r)).find((m: { pubkey: string }) => m.pubkey === joiner.pk)).toBeUndefined()
    // reset: the backup's member list (13534) replaces the one the purged relay started again
    await te.handle.importRelay(r.id, lines, { reset: true })
    expect(await listInvites(r)).toEqual(invitesBefore)
    expect((await details(r)).find((m: { pubkey: string }) => m.pubkey === joiner.pk)).toEqual(
      detailBefore.find((m: { pubkey: string }) => m.pubkey === joiner.pk),
    )
    // the restored invite keeps counting: one use left
    expect(await joinWithClaim(te.url(r.host), keys(), invite.code)).toBe(JOINED)
    expect(await joinWithClaim(te.url(r.host), keys(), invite.code)).toBe(INVALID_CODE)
  })
})
