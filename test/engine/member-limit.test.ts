// Caravel policy.max_members (docs/engine.md, Caravel extensions): joins and NIP-86 allowpubkey are refused once
// the members besides the configured ones reach the limit; members already over it are kept.
import { describe, expect, it } from 'vitest'
import { authedRelay, createRelay, joinWithClaim, keys, nip86, publish, query, relaySetup, sign, suiteEngine } from './helpers.js'

const te = suiteEngine()

const FULL = 'refused:restricted: this relay is full'
const JOINED = 'ok:info: you are now a member of this relay'
const members = async (id: string): Promise<string[]> => (await te.api('GET', `/relay/${id}/members`)).json().members

describe('policy.max_members', () => {
  it('counts members besides self, owner and role keys; a full relay refuses public joins', async () => {
    const moderator = keys()
    const r = await createRelay(te, {
      policy: { public_join: true, max_members: 2 },
      roles: { mods: { pubkeys: [moderator.pk], can_manage: true } },
    })
    const url = te.url(r.host)
    const [a, b, c] = [keys(), keys(), keys()]
    expect(await joinWithClaim(url, a)).toBe(JOINED)
    expect(await joinWithClaim(url, b)).toBe(JOINED)
    expect(await joinWithClaim(url, c)).toBe(FULL)
    expect(await joinWithClaim(url, a)).toBe('ok:duplicate: you are already a member of this relay')
    expect((await members(r.id)).sort()).toEqual([r.self.pk, r.owner.pk, moderator.pk, a.pk, b.pk].sort())

    // after one leaves there is room again
    const leaving = await authedRelay(url, b)
    expect(await publish(leaving, sign(b, { kind: 28936 }))).toBe('ok:info: you are no longer a member of this relay')
    leaving.close()
    expect(await joinWithClaim(url, c)).toBe(JOINED)
  })

  it('refuses a valid claim when full, and NIP-86 allowpubkey with the same reason', async () => {
    const r = await createRelay(te, { policy: { max_members: 1 }, management: { enabled: true } })
    const url = te.url(r.host)
    const owner = await authedRelay(url, r.owner)
    const claim = (await query(owner, [{ kinds: [28935] }]))[0]!.tags.find((t) => t[0] === 'claim')![1]!
    owner.close()
    const [a, b] = [keys(), keys()]
    expect(await joinWithClaim(url, a, claim)).toBe(JOINED)
    expect(await joinWithClaim(url, b, claim)).toBe(FULL)
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [b.pk])).json()).toEqual({ result: null, error: 'restricted: this relay is full' })
    // allowing an existing member is no addition
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [a.pk])).json()).toEqual({ result: true })
    expect(await members(r.id)).not.toContain(b.pk)
  })

  it('lowering the limit keeps existing members; null lifts it; 0 admits only configured members', async () => {
    const r = await createRelay(te, { policy: { public_join: true }, management: { enabled: true } })
    const url = te.url(r.host)
    const [a, b, c] = [keys(), keys(), keys()]
    expect(await joinWithClaim(url, a)).toBe(JOINED)
    expect(await joinWithClaim(url, b)).toBe(JOINED)
    expect((await te.api('PATCH', `/relay/${r.id}`, { policy: { max_members: 1 } })).status).toBe(200)
    expect(await members(r.id)).toEqual(expect.arrayContaining([a.pk, b.pk]))
    const relay = await authedRelay(url, b)
    expect(await publish(relay, sign(b, { kind: 1, content: 'still here' }))).toBe('ok:')
    relay.close()
    expect(await joinWithClaim(url, c)).toBe(FULL)

    expect((await te.api('PATCH', `/relay/${r.id}`, { policy: { max_members: null } })).status).toBe(200)
    expect(await joinWithClaim(url, c)).toBe(JOINED)

    expect((await te.api('PATCH', `/relay/${r.id}`, { policy: { max_members: 0 } })).status).toBe(200)
    const role = keys()
    expect((await te.api('PATCH', `/relay/${r.id}`, { roles: { crew: { pubkeys: [role.pk] } } })).status).toBe(200)
    expect(await members(r.id)).toContain(role.pk)
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [keys().pk])).json().error).toBe('restricted: this relay is full')
  })

  it('refuses an invalid limit with a 400', async () => {
    const bad = relaySetup({ policy: { max_members: -1 } })
    const res = await te.api('POST', `/relay/${bad.id}`, bad.config)
    expect([res.status, res.json()]).toEqual([400, { error: 'policy.max_members must be a whole number of 0 or more' }])
    const r = await createRelay(te)
    const patch = await te.api('PATCH', `/relay/${r.id}`, { policy: { max_members: 'ten' } })
    expect([patch.status, patch.json()]).toEqual([400, { error: 'invalid json: policy.max_members must be a number' }])
  })
})
