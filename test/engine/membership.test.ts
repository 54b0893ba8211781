// NIP-43 membership (engine.md §5.6, §7 rows 12, 13): joins with claims, invites, leave, public join, bans.
import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { authedRelay, createRelay, keys, nip86, publish, query, sign, suiteEngine, type Keys } from './helpers.js'

const te = suiteEngine()

const members13534 = (e: NostrEvent | undefined) => (e ? e.tags.filter((t) => t[0] === 'member').map((t) => t[1]) : [])

/** The owner's view of the member list (13534) and the 8000/8001 notices about `pk`. */
async function membershipView(url: string, owner: Keys, pk: string) {
  const relay = await authedRelay(url, owner)
  const lists = await query(relay, [{ kinds: [13534] }])
  const notices = await query(relay, [{ kinds: [8000, 8001], '#p': [pk] }])
  relay.close()
  return { members: members13534(lists[0]), list: lists[0], notices }
}

async function inviteCode(url: string, inviter: Keys): Promise<{ code: string; event: NostrEvent } | undefined> {
  const relay = await authedRelay(url, inviter)
  const invites = await query(relay, [{ kinds: [28935] }])
  relay.close()
  const event = invites[0]
  if (!event) return undefined
  return { code: event.tags.find((t) => t[0] === 'claim')![1]!, event }
}

describe('join (row 12)', () => {
  it('without a claim on a non-public relay is refused; with a valid claim → member, 8000 + new 13534', async () => {
    const r = await createRelay(te)
    const url = te.url(r.host)
    const before = await membershipView(url, r.owner, r.owner.pk)
    const joiner = keys()
    const relay = await authedRelay(url, joiner)
    expect(await publish(relay, sign(joiner, { kind: 28934 }))).toBe('refused:invalid: failed to validate invite code')
    expect(await publish(relay, sign(joiner, { kind: 28934, tags: [['claim', 'WRONG123']] }))).toBe(
      'refused:invalid: failed to validate invite code',
    )
    const invite = await inviteCode(url, r.owner)
    expect(invite).toBeDefined()
    expect(await publish(relay, sign(joiner, { kind: 28934, tags: [['claim', invite!.code]] }))).toBe(
      'ok:info: you are now a member of this relay',
    )
    expect(await publish(relay, sign(joiner, { kind: 28934, tags: [['claim', invite!.code]] }))).toBe(
      'ok:duplicate: you are already a member of this relay',
    )
    // the new member can now read and write
    expect(await publish(relay, sign(joiner, { kind: 1, content: 'hi' }))).toBe('ok:')
    relay.close()

    const after = await membershipView(url, r.owner, joiner.pk)
    expect(after.members).toContain(joiner.pk)
    expect(after.list!.pubkey).toBe(r.self.pk)
    expect(after.list!.tags).toContainEqual(['-'])
    expect(after.list!.created_at).toBeGreaterThan(before.list!.created_at)
    expect(after.notices.map((e) => [e.kind, e.pubkey])).toEqual([[8000, r.self.pk]])
    expect((await te.api('GET', `/relay/${r.id}/members`)).json().members).toContain(joiner.pk)
  })

  it('public_join lets anyone not banned join; a stale join is refused', async () => {
    const r = await createRelay(te, { policy: { public_join: true } })
    const joiner = keys()
    const relay = await authedRelay(te.url(r.host), joiner)
    const stale = sign(joiner, { kind: 28934, created_at: Math.floor(Date.now() / 1000) - 3600 })
    expect(await publish(relay, stale)).toBe('refused:invalid: join request is too old')
    expect(await publish(relay, sign(joiner, { kind: 28934 }))).toBe('ok:info: you are now a member of this relay')
    relay.close()
    expect((await membershipView(te.url(r.host), r.owner, joiner.pk)).members).toContain(joiner.pk)
  })

  it('a banned pubkey cannot join, even on a public relay', async () => {
    const r = await createRelay(te, { policy: { public_join: true }, management: { enabled: true } })
    const banned = keys()
    expect((await nip86(te, r.host, r.owner, 'banpubkey', [banned.pk, 'spam'])).json()).toEqual({ result: true })
    const relay = await authedRelay(te.url(r.host), banned)
    expect(await publish(relay, sign(banned, { kind: 28934 }))).toBe('refused:blocked: you are banned from this relay')
    relay.close()
  })

  it('a claim stops working when its inviter no longer qualifies', async () => {
    const inviter = keys()
    const r = await createRelay(te, { roles: { hosts: { pubkeys: [inviter.pk], can_invite: true } } })
    const invite = await inviteCode(te.url(r.host), inviter)
    expect(invite).toBeDefined()
    expect((await te.api('PATCH', `/relay/${r.id}`, { roles: { hosts: { can_invite: false } } })).status).toBe(200)
    const joiner = keys()
    const relay = await authedRelay(te.url(r.host), joiner)
    expect(await publish(relay, sign(joiner, { kind: 28934, tags: [['claim', invite!.code]] }))).toBe(
      'refused:invalid: failed to validate invite code',
    )
    relay.close()
  })
})

describe('invites (row 13)', () => {
  it('an inviter gets a self-signed 8-char claim, the same on repeat; a non-inviter gets only EOSE', async () => {
    const r = await createRelay(te, { policy: { public_join: true } })
    const url = te.url(r.host)
    const first = await inviteCode(url, r.owner)
    expect(first!.code).toMatch(/^[A-Z0-9]{8}$/)
    expect(first!.event.pubkey).toBe(r.self.pk)
    expect(first!.event.tags).toContainEqual(['p', r.owner.pk])
    const second = await inviteCode(url, r.owner)
    expect(second!.code).toBe(first!.code)
    expect(second!.event.id).toBe(first!.event.id)

    const plain = keys()
    const relay = await authedRelay(url, plain)
    expect(await publish(relay, sign(plain, { kind: 28934 }))).toBe('ok:info: you are now a member of this relay')
    expect(await query(relay, [{ kinds: [28935] }])).toEqual([])
    relay.close()
  })

  it('roles.member.can_invite makes every member an inviter', async () => {
    const m = keys()
    const r = await createRelay(te, { roles: { member: { can_invite: true }, crew: { pubkeys: [m.pk] } } })
    const invite = await inviteCode(te.url(r.host), m)
    expect(invite!.code).toMatch(/^[A-Z0-9]{8}$/)
  })
})

describe('leave', () => {
  it('a member leaves (8001 + 13534); a configured member cannot; a non-member gets duplicate', async () => {
    const r = await createRelay(te, { policy: { public_join: true } })
    const url = te.url(r.host)
    const user = keys()
    const relay = await authedRelay(url, user)
    expect(await publish(relay, sign(user, { kind: 28936 }))).toBe('ok:duplicate: you are not a member of this relay')
    expect(await publish(relay, sign(user, { kind: 28934 }))).toBe('ok:info: you are now a member of this relay')
    expect(await publish(relay, sign(user, { kind: 28936 }))).toBe('ok:info: you are no longer a member of this relay')
    await expect(query(relay, [{ kinds: [1] }])).rejects.toThrow('restricted: you are not a member of this relay')
    relay.close()
    const view = await membershipView(url, r.owner, user.pk)
    expect(view.members).not.toContain(user.pk)
    expect(view.notices.map((e) => e.kind).sort()).toEqual([8000, 8001])

    const owner = await authedRelay(url, r.owner)
    expect(await publish(owner, sign(r.owner, { kind: 28936 }))).toBe('refused:restricted: configured members cannot leave')
    owner.close()
  })
})
