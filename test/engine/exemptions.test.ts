// Caravel policy.exempt_kinds (docs/engine.md, Caravel extensions) over real WebSockets: gift wraps and zap
// receipts delivered to members, NWC (23194/23195) and NIP-46 (24133) between members and their non-member
// services, what each side may read, refusals, and the setting turned off or changed.
import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { createRelay, httpRequest, keys, nip86, RawClient, sign, suiteEngine, type Keys, type RelaySetup } from './helpers.js'

const te = suiteEngine()

const AUTH_REQUIRED = 'auth-required: authentication required'
const NOT_A_MEMBER = 'restricted: you are not a member of this relay'

/** A private relay with two members (`member`, `bystander`) added by the owner through NIP-86. */
async function privateRelay(extra: Record<string, unknown> = {}): Promise<{ r: RelaySetup; member: Keys; bystander: Keys }> {
  const r = await createRelay(te, { management: { enabled: true }, ...extra })
  const member = keys()
  const bystander = keys()
  for (const k of [member, bystander]) {
    expect((await nip86(te, r.host, r.owner, 'allowpubkey', [k.pk])).json()).toEqual({ result: true })
  }
  return { r, member, bystander }
}

/** A connection authenticated as `k` (or not at all). */
async function connect(r: RelaySetup, k?: Keys): Promise<RawClient> {
  const c = await RawClient.open(te.url(r.host))
  if (k) expect((await c.auth(k, r.host))[2]).toBe(true)
  return c
}

/** The OK of publishing `event` as [accepted, message]. */
async function send(c: RawClient, event: NostrEvent): Promise<[boolean, string]> {
  const ok = await c.publish(event)
  return [ok[2], ok[3]]
}

/** Subscribes and expects EOSE (the REQ was allowed). */
async function subscribe(c: RawClient, subId: string, ...filters: unknown[]): Promise<void> {
  const { end } = await c.req(subId, ...filters)
  expect(end).toEqual(['EOSE', subId])
}

/** The next live event of a subscription. */
const nextEvent = async (c: RawClient, subId: string): Promise<NostrEvent> => (await c.next((m) => m[0] === 'EVENT' && m[1] === subId))[2]

/** The reason a REQ is closed with. */
async function refusedReq(c: RawClient, subId: string, ...filters: unknown[]): Promise<string> {
  const { end } = await c.req(subId, ...filters)
  expect(end[0]).toBe('CLOSED')
  return end[2]
}

/**
 * Asserts the bystander's subscription `subId` (which also matches kind 1) received nothing before a kind 1
 * marker it publishes now: everything sent earlier would have been delivered before it.
 */
async function expectNothingBefore(c: RawClient, k: Keys, subId: string): Promise<void> {
  const marker = sign(k, { kind: 1, content: 'marker' })
  expect(await send(c, marker)).toEqual([true, ''])
  expect((await nextEvent(c, subId)).id).toBe(marker.id)
}

describe('NWC and NIP-46 between a member and a non-member service', () => {
  it('NWC: the wallet service reads requests addressed to it and answers; only the two ends see the traffic', async () => {
    const { r, member, bystander } = await privateRelay()
    const wallet = keys()
    const walletConn = await connect(r, wallet)
    await subscribe(walletConn, 'requests', { kinds: [23194], '#p': [wallet.pk] })
    const memberConn = await connect(r, member)
    await subscribe(memberConn, 'responses', { kinds: [23195], '#p': [member.pk] })
    const bystanderConn = await connect(r, bystander)
    await subscribe(bystanderConn, 'all', { kinds: [1, 23194, 23195] })

    // the member's NWC client publishes on a connection without AUTH
    const anonymous = await connect(r)
    const request = sign(member, { kind: 23194, tags: [['p', wallet.pk]], content: 'encrypted pay_invoice' })
    expect(await send(anonymous, request)).toEqual([true, ''])
    expect((await nextEvent(walletConn, 'requests')).id).toBe(request.id)

    const response = sign(wallet, { kind: 23195, tags: [['p', member.pk], ['e', request.id]], content: 'encrypted result' })
    expect(await send(walletConn, response)).toEqual([true, ''])
    expect((await nextEvent(memberConn, 'responses')).id).toBe(response.id)

    await expectNothingBefore(bystanderConn, bystander, 'all')
    for (const c of [walletConn, memberConn, bystanderConn, anonymous]) c.close()
  })

  it('NIP-46: a member and a remote signer key exchange 24133; the signer may ask only for its own traffic', async () => {
    const { r, member, bystander } = await privateRelay()
    const signer = keys()
    const signerConn = await connect(r, signer)
    await subscribe(signerConn, 'to-signer', { kinds: [24133], '#p': [signer.pk] })
    await subscribe(signerConn, 'by-signer', { kinds: [24133], authors: [signer.pk] })
    const memberConn = await connect(r, member)
    await subscribe(memberConn, 'to-member', { kinds: [24133], '#p': [member.pk] })
    const bystanderConn = await connect(r, bystander)
    await subscribe(bystanderConn, 'all', { kinds: [1, 24133] })

    const ask = sign(member, { kind: 24133, tags: [['p', signer.pk]], content: 'encrypted sign_event' })
    expect(await send(memberConn, ask)).toEqual([true, ''])
    expect((await nextEvent(signerConn, 'to-signer')).id).toBe(ask.id)
    const answer = sign(signer, { kind: 24133, tags: [['p', member.pk]], content: 'encrypted signature' })
    expect(await send(signerConn, answer)).toEqual([true, ''])
    expect((await nextEvent(memberConn, 'to-member')).id).toBe(answer.id)
    expect((await nextEvent(signerConn, 'by-signer')).id).toBe(answer.id)
    await expectNothingBefore(bystanderConn, bystander, 'all')

    // a non-member may only ask for exempt kinds addressed to or written by its own pubkeys
    expect(await refusedReq(signerConn, 'wide', { kinds: [24133] })).toBe(NOT_A_MEMBER)
    expect(await refusedReq(signerConn, 'others', { kinds: [24133], '#p': [member.pk] })).toBe(NOT_A_MEMBER)
    expect(await refusedReq(signerConn, 'notes', { kinds: [1], authors: [signer.pk] })).toBe(NOT_A_MEMBER)
    expect(await refusedReq(signerConn, 'no-kinds', { '#p': [signer.pk] })).toBe(NOT_A_MEMBER)
    expect(await refusedReq(signerConn, 'mixed', { kinds: [24133], '#p': [signer.pk] }, { kinds: [1] })).toBe(NOT_A_MEMBER)
    const anonymous = await connect(r)
    expect(await refusedReq(anonymous, 'anon', { kinds: [24133], '#p': [signer.pk] })).toBe(AUTH_REQUIRED)
    for (const c of [signerConn, memberConn, bystanderConn, anonymous]) c.close()
  })
})

describe('deliveries to members', () => {
  it('a gift wrap and a zap receipt to a member are accepted without auth; the wrap is read only by its recipient, the receipt by every member', async () => {
    const { r, member, bystander } = await privateRelay()
    const zapper = keys()
    const anonymous = await connect(r)
    const wrap = sign(keys(), { kind: 1059, tags: [['p', member.pk]], content: 'sealed' })
    const zap = sign(zapper, { kind: 9735, tags: [['p', member.pk], ['bolt11', 'lnbc1']] })
    expect(await send(anonymous, wrap)).toEqual([true, ''])
    expect(await send(anonymous, zap)).toEqual([true, ''])
    anonymous.close()

    const ids = async (k: Keys, ...filters: unknown[]) => {
      const c = await connect(r, k)
      const { events, end } = await c.req('q', ...filters)
      c.close()
      expect(end[0]).toBe('EOSE')
      return events.map((e: NostrEvent) => e.id).sort()
    }
    expect(await ids(member, { kinds: [1059, 9735] })).toEqual([wrap.id, zap.id].sort())
    expect(await ids(bystander, { kinds: [1059, 9735] })).toEqual([zap.id]) // zap receipts are public to members
    expect(await ids(r.owner, { kinds: [1059, 9735] })).toEqual([zap.id]) // admins see zap receipts, never gift wraps
    expect(await ids(zapper, { kinds: [9735], authors: [zapper.pk] })).toEqual([zap.id]) // its author, not a member
  })

  it('the same kinds to a non-member, a non-exempt kind, a protected event and a banned author are refused', async () => {
    const { r, member } = await privateRelay()
    const stranger = keys()
    const anonymous = await connect(r)
    expect(await send(anonymous, sign(keys(), { kind: 1059, tags: [['p', stranger.pk]] }))).toEqual([false, AUTH_REQUIRED])
    expect(await send(anonymous, sign(keys(), { kind: 9735, tags: [['p', stranger.pk]] }))).toEqual([false, AUTH_REQUIRED])
    expect(await send(anonymous, sign(stranger, { kind: 23194, tags: [['p', keys().pk]] }))).toEqual([false, AUTH_REQUIRED])
    expect(await send(anonymous, sign(stranger, { kind: 1, tags: [['p', member.pk]] }))).toEqual([false, AUTH_REQUIRED])
    expect(await send(anonymous, sign(stranger, { kind: 24133, tags: [['p', member.pk], ['-']] }))).toEqual([false, AUTH_REQUIRED])
    anonymous.close()

    const strangerConn = await connect(r, stranger)
    expect(await send(strangerConn, sign(stranger, { kind: 24133, tags: [['p', keys().pk]] }))).toEqual([false, NOT_A_MEMBER])
    expect(await send(strangerConn, sign(stranger, { kind: 1, tags: [['p', member.pk]] }))).toEqual([false, NOT_A_MEMBER])
    expect(await refusedReq(strangerConn, 'wraps', { kinds: [1059] })).toBe(NOT_A_MEMBER)
    strangerConn.close()

    const banned = keys()
    expect((await nip86(te, r.host, r.owner, 'banpubkey', [banned.pk, 'spam'])).json()).toEqual({ result: true })
    const bannedConn = await connect(r)
    expect(await send(bannedConn, sign(banned, { kind: 9735, tags: [['p', member.pk]] }))).toEqual([false, 'blocked: you are banned from this relay'])
    bannedConn.close()
  })
})

describe('the exempt_kinds setting', () => {
  it('[] turns exemptions off: deliveries need auth and membership, services may not read, zap receipts go to members', async () => {
    const { r, member, bystander } = await privateRelay()
    const anonymous = await connect(r)
    const zap = sign(keys(), { kind: 9735, tags: [['p', member.pk]] })
    expect(await send(anonymous, zap)).toEqual([true, ''])
    expect((await te.api('PATCH', `/relay/${r.id}`, { policy: { exempt_kinds: [] } })).status).toBe(200)

    expect(await send(anonymous, sign(keys(), { kind: 1059, tags: [['p', member.pk]] }))).toEqual([false, AUTH_REQUIRED])
    expect(await send(anonymous, sign(keys(), { kind: 9735, tags: [['p', member.pk]] }))).toEqual([false, AUTH_REQUIRED])
    expect(await send(anonymous, sign(member, { kind: 23194, tags: [['p', keys().pk]] }))).toEqual([false, AUTH_REQUIRED])
    anonymous.close()
    const wallet = keys()
    const walletConn = await connect(r, wallet)
    expect(await refusedReq(walletConn, 'requests', { kinds: [23194], '#p': [wallet.pk] })).toBe(NOT_A_MEMBER)
    expect(await send(walletConn, sign(wallet, { kind: 23195, tags: [['p', member.pk]] }))).toEqual([false, NOT_A_MEMBER])
    walletConn.close()

    // an ordinary kind again: every member reads the zap receipt
    const bystanderConn = await connect(r, bystander)
    expect((await bystanderConn.req('zaps', { kinds: [9735] })).events.map((e: NostrEvent) => e.id)).toEqual([zap.id])
    bystanderConn.close()
  })

  it('a custom list replaces the default', async () => {
    const { r, member, bystander } = await privateRelay({ policy: { exempt_kinds: [7, 1059] } })
    const anonymous = await connect(r)
    const reaction = sign(keys(), { kind: 7, tags: [['p', member.pk]], content: '+' })
    expect(await send(anonymous, reaction)).toEqual([true, ''])
    expect(await send(anonymous, sign(keys(), { kind: 1059, tags: [['p', member.pk]] }))).toEqual([true, ''])
    expect(await send(anonymous, sign(keys(), { kind: 9735, tags: [['p', member.pk]] }))).toEqual([false, AUTH_REQUIRED])
    expect(await send(anonymous, sign(member, { kind: 24133, tags: [['p', keys().pk]] }))).toEqual([false, AUTH_REQUIRED])
    anonymous.close()
    const read = async (k: Keys) => {
      const c = await connect(r, k)
      const { events } = await c.req('r', { kinds: [7] })
      c.close()
      return events.map((e: NostrEvent) => e.id)
    }
    expect(await read(member)).toEqual([reaction.id])
    // Not private traffic: every member reads it, as any reaction.
    expect(await read(bystander)).toEqual([reaction.id])
  })

  it('NIP-11 is the same whatever the exempt kinds', async () => {
    const { r } = await privateRelay()
    const info = async () => (await httpRequest(te.port, { host: r.host, headers: { accept: 'application/nostr+json' } })).json()
    const before = await info()
    expect((await te.api('PATCH', `/relay/${r.id}`, { policy: { exempt_kinds: [1059] } })).status).toBe(200)
    expect(await info()).toEqual(before)
    expect(JSON.stringify(before)).not.toContain('exempt')
  })
})
