// engine.md §5.1–§5.5 and §7 rows 9–11, 14, 17 plus robustness: nostr-tools and raw clients over real WebSockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  authedRelay,
  createRelay,
  keys,
  LocalWebSocket,
  plainRelay,
  publish,
  query,
  RawClient,
  sign,
  startTestEngine,
  type Keys,
  type RelaySetup,
  type TestEngine,
} from './helpers.js'

let te: TestEngine
let r: RelaySetup
let member: Keys
const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  te = await startTestEngine()
  member = keys()
  r = await createRelay(te, { roles: { regulars: { pubkeys: [member.pk] } } })
})
afterAll(async () => {
  await te?.close()
})

describe('NIP-42 gates (rows 9, 10, 11)', () => {
  it('unauthenticated REQ → CLOSED auth-required, EVENT → OK false auth-required', async () => {
    const relay = await plainRelay(te.url(r.host))
    await expect(query(relay, [{ kinds: [1] }])).rejects.toThrow('auth-required: authentication required')
    expect(await publish(relay, sign(member, { kind: 1 }))).toBe('refused:auth-required: authentication required')
    relay.close()
  })

  it('authenticated non-member: REQ CLOSED and EVENT refused with restricted:', async () => {
    const stranger = keys()
    const relay = await authedRelay(te.url(r.host), stranger)
    await expect(query(relay, [{ kinds: [1] }])).rejects.toThrow('restricted: you are not a member of this relay')
    expect(await publish(relay, sign(stranger, { kind: 1 }))).toBe('refused:restricted: you are not a member of this relay')
    relay.close()
  })

  it('EVENT by another author → restricted: on behalf of others (also for NIP-70 protected events)', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    const other = sign(r.owner, { kind: 1, content: 'not yours' })
    expect(await publish(relay, other)).toBe('refused:restricted: you cannot publish events on behalf of others')
    const protectedOther = sign(r.owner, { kind: 1, tags: [['-']] })
    expect(await publish(relay, protectedOther)).toBe('refused:restricted: you cannot publish events on behalf of others')
    expect(await publish(relay, sign(member, { kind: 1, tags: [['-']] }))).toBe('ok:')
    relay.close()
  })

  it('AUTH with a wrong challenge, relay or kind → OK false invalid:', async () => {
    const c = await RawClient.open(te.url(r.host))
    const wrongChallenge = sign(member, { kind: 22242, tags: [['relay', `ws://${r.host}`], ['challenge', 'nope']] })
    c.send(['AUTH', wrongChallenge])
    expect((await c.next((m) => m[0] === 'OK'))[3]).toMatch(/^invalid: /)
    const wrongRelay = sign(member, { kind: 22242, tags: [['relay', 'wss://elsewhere.example'], ['challenge', c.challenge]] })
    c.send(['AUTH', wrongRelay])
    expect((await c.next((m) => m[0] === 'OK'))[2]).toBe(false)
    const ok = await c.auth(member, `${r.host.toUpperCase()}:9/path`)
    expect(ok[2]).toBe(true)
    c.close()
  })

  it('several pubkeys may authenticate on one connection; all count', async () => {
    const stranger = keys()
    const c = await RawClient.open(te.url(r.host))
    await c.auth(stranger, r.host)
    expect((await c.req('s1', { kinds: [1] })).end[0]).toBe('CLOSED')
    await c.auth(member, r.host)
    expect((await c.req('s2', { kinds: [1] })).end[0]).toBe('EOSE')
    expect((await c.publish(sign(member, { kind: 1 })))[2]).toBe(true)
    c.close()
  })
})

describe('exemptions (row 14)', () => {
  it('1059 or 9735 whose p is a member is accepted without auth; a non-member p is refused', async () => {
    const relay = await plainRelay(te.url(r.host))
    const sender = keys()
    const wrap = sign(sender, { kind: 1059, tags: [['p', member.pk]], content: 'sealed' })
    expect(await publish(relay, wrap)).toBe('ok:')
    const zap = sign(sender, { kind: 9735, tags: [['p', member.pk]] })
    expect(await publish(relay, zap)).toBe('ok:')
    const stranger = keys()
    expect(await publish(relay, sign(sender, { kind: 1059, tags: [['p', stranger.pk]] }))).toMatch(/^refused:auth-required: /)
    expect(await publish(relay, sign(sender, { kind: 9735, tags: [['p', stranger.pk]] }))).toMatch(/^refused:auth-required: /)
    // a protected (`-`) wrap is not exempt
    expect(await publish(relay, sign(sender, { kind: 1059, tags: [['p', member.pk], ['-']] }))).toMatch(/^refused:auth-required: /)
    relay.close()

    // gift wraps are delivered only to their recipients; zap receipts (exempt kind) to their recipient and admins
    const recipient = await authedRelay(te.url(r.host), member)
    expect((await query(recipient, [{ kinds: [1059, 9735] }])).map((e) => e.id).sort()).toEqual([wrap.id, zap.id].sort())
    recipient.close()
    const owner = await authedRelay(te.url(r.host), r.owner)
    expect((await query(owner, [{ kinds: [1059, 9735] }])).map((e) => e.id)).toEqual([zap.id])
    owner.close()
  })
})

describe('NIP-01 storage rules, NIP-09, NIP-40 (row 17)', () => {
  it('a newer kind 0 replaces the older; an older one is a duplicate', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    const v1 = sign(member, { kind: 0, content: '{"name":"v1"}', created_at: now() - 100 })
    const v2 = sign(member, { kind: 0, content: '{"name":"v2"}', created_at: now() - 50 })
    expect(await publish(relay, v1)).toBe('ok:')
    expect(await publish(relay, v2)).toBe('ok:')
    expect(await publish(relay, v1)).toBe('ok:duplicate: a newer version is already stored')
    expect(await publish(relay, v2)).toBe('ok:duplicate: already have this event')
    expect((await query(relay, [{ kinds: [0], authors: [member.pk] }])).map((e) => e.id)).toEqual([v2.id])
    relay.close()
  })

  it('addressable events replace per d tag; equal created_at → lowest id wins', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    const t = now() - 10
    const a = sign(member, { kind: 30023, tags: [['d', 'x']], content: 'a', created_at: t })
    const b = sign(member, { kind: 30023, tags: [['d', 'x']], content: 'b', created_at: t })
    const other = sign(member, { kind: 30023, tags: [['d', 'y']], content: 'y', created_at: t })
    const [low, high] = a.id < b.id ? [a, b] : [b, a]
    expect(await publish(relay, high)).toBe('ok:')
    expect(await publish(relay, low)).toBe('ok:')
    expect(await publish(relay, high)).toBe('ok:duplicate: a newer version is already stored')
    expect(await publish(relay, other)).toBe('ok:')
    const got = await query(relay, [{ kinds: [30023], authors: [member.pk] }])
    expect(got.map((e) => e.id).sort()).toEqual([low.id, other.id].sort())
    relay.close()
  })

  it('kind 5 removes the author’s event (not others’), is served, and the deleted id is blocked', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    const mine = sign(member, { kind: 1, content: 'to delete' })
    const ownerRelay = await authedRelay(te.url(r.host), r.owner)
    const theirs = sign(r.owner, { kind: 1, content: 'not mine' })
    expect(await publish(relay, mine)).toBe('ok:')
    expect(await publish(ownerRelay, theirs)).toBe('ok:')
    const deletion = sign(member, { kind: 5, tags: [['e', mine.id], ['e', theirs.id]] })
    expect(await publish(relay, deletion)).toBe('ok:')
    const got = await query(relay, [{ ids: [mine.id, theirs.id, deletion.id] }])
    expect(got.map((e) => e.id).sort()).toEqual([theirs.id, deletion.id].sort())
    expect(await publish(relay, mine)).toBe('refused:blocked: this event was deleted')
    ownerRelay.close()
    relay.close()
  })

  it('kind 5 with an a tag removes every version up to its time', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    const art = sign(member, { kind: 30024, tags: [['d', 'draft']], created_at: now() - 20 })
    expect(await publish(relay, art)).toBe('ok:')
    expect(await publish(relay, sign(member, { kind: 5, tags: [['a', `30024:${member.pk}:draft`]] }))).toBe('ok:')
    expect(await query(relay, [{ kinds: [30024], authors: [member.pk] }])).toEqual([])
    expect(await publish(relay, art)).toBe('refused:blocked: this event was deleted')
    relay.close()
  })

  it('an expired event is refused; an event expiring later is served', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    const expired = sign(member, { kind: 1, tags: [['expiration', String(now() - 5)]] })
    expect(await publish(relay, expired)).toBe('refused:invalid: event has expired')
    const later = sign(member, { kind: 1, tags: [['expiration', String(now() + 3600)]] })
    expect(await publish(relay, later)).toBe('ok:')
    expect((await query(relay, [{ ids: [later.id] }])).length).toBe(1)
    relay.close()
  })

  it('ephemeral events are broadcast, not stored, OK true', async () => {
    const reader = await authedRelay(te.url(r.host), r.owner)
    const writer = await authedRelay(te.url(r.host), member)
    const eph = sign(member, { kind: 20001, content: 'now' })
    const live = new Promise<string>((resolve) => {
      reader.subscribe([{ kinds: [20001] }], { onevent: (e) => resolve(e.id) })
    })
    // wait for EOSE of the live sub by doing a round trip query on the same connection
    await query(reader, [{ limit: 0 }])
    expect(await publish(writer, eph)).toBe('ok:')
    expect(await live).toBe(eph.id)
    expect(await query(writer, [{ ids: [eph.id] }])).toEqual([])
    reader.close()
    writer.close()
  })

  it('filters: tags, since/until, limit, newest first, search matches nothing', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    const base = now() - 1000
    const evs = [0, 1, 2, 3].map((i) => sign(member, { kind: 7, created_at: base + i, tags: [['t', `tag${i % 2}`]] }))
    for (const e of evs) expect(await publish(relay, e)).toBe('ok:')
    const byTag = await query(relay, [{ kinds: [7], '#t': ['tag1'] }])
    expect(byTag.map((e) => e.id)).toEqual([evs[3]!.id, evs[1]!.id])
    const window = await query(relay, [{ kinds: [7], since: base + 1, until: base + 2 }])
    expect(window.map((e) => e.id)).toEqual([evs[2]!.id, evs[1]!.id])
    const limited = await query(relay, [{ kinds: [7], authors: [member.pk], limit: 2 }])
    expect(limited.map((e) => e.id)).toEqual([evs[3]!.id, evs[2]!.id])
    expect(await query(relay, [{ kinds: [7], search: 'x' }])).toEqual([])
    relay.close()
  })

  it('live events reach matching subscriptions after EOSE', async () => {
    const reader = await authedRelay(te.url(r.host), r.owner)
    const writer = await authedRelay(te.url(r.host), member)
    const received = new Promise<string>((resolve) => {
      const sub = reader.subscribe([{ kinds: [1], '#t': ['live'] }], {
        oneose: () => {
          void publish(writer, sign(member, { kind: 1, tags: [['t', 'live']], content: 'hi' }))
        },
        onevent: (e) => {
          resolve(e.content)
          sub.close()
        },
      })
    })
    expect(await received).toBe('hi')
    reader.close()
    writer.close()
  })
})

describe('robustness: malformed input never crashes and other clients are unaffected', () => {
  it('invalid JSON, non-array, unknown type → NOTICE invalid:', async () => {
    const c = await RawClient.open(te.url(r.host))
    c.send('{not json')
    expect(await c.next()).toEqual(['NOTICE', expect.stringMatching(/^invalid: /)])
    c.send('{"a":1}')
    expect((await c.next())[1]).toMatch(/^invalid: /)
    c.send('["WHAT"]')
    expect((await c.next())[1]).toMatch(/^invalid: /)
    c.send('["EVENT", 5]')
    expect((await c.next())[1]).toMatch(/^invalid: /)
    c.send('["REQ"]')
    expect((await c.next())[1]).toMatch(/^invalid: /)
    c.send(['COUNT', 'c1', {}])
    expect(await c.next()).toEqual(['CLOSED', 'c1', 'unsupported: COUNT is not supported'])
    // the same connection still works after the garbage, and so does everyone else
    await c.auth(member, r.host)
    expect((await c.publish(sign(member, { kind: 1, content: 'after garbage' })))[2]).toBe(true)
    const bystander = await authedRelay(te.url(r.host), r.owner)
    expect((await query(bystander, [{ kinds: [1], limit: 1 }])).length).toBe(1)
    bystander.close()
    c.close()
  })

  it('bad signature and bad id → OK false invalid:', async () => {
    const c = await RawClient.open(te.url(r.host))
    await c.auth(member, r.host)
    const e = sign(member, { kind: 1, content: 'x' })
    const badSig = { ...e, sig: e.sig.replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a')) }
    expect((await c.publish(badSig)).slice(2)).toEqual([false, expect.stringMatching(/^invalid: /)])
    const badId = { ...sign(member, { kind: 1 }), content: 'tampered' }
    expect((await c.publish(badId))[3]).toMatch(/^invalid: /)
    const future = sign(member, { kind: 1, created_at: now() + 3600 })
    expect((await c.publish(future))[3]).toMatch(/^invalid: /)
    const tooManyTags = sign(member, { kind: 1, tags: Array.from({ length: 5001 }, (_, i) => ['t', String(i)]) })
    expect((await c.publish(tooManyTags))[3]).toMatch(/^invalid: too many tags/)
    c.close()
  })

  it('relay-owned kinds are refused', async () => {
    const relay = await authedRelay(te.url(r.host), member)
    for (const kind of [13534, 8000, 8001, 28935, 39000]) {
      expect(await publish(relay, sign(member, { kind }))).toBe("refused:invalid: this event's kind is not accepted")
    }
    expect(await publish(relay, sign(member, { kind: 30078, tags: [['d', 'zooid/banned_pubkeys']] }))).toBe(
      "refused:invalid: this event's kind is not accepted",
    )
    relay.close()
  })

  it('filters with thousands of items, too many filters, long sub ids → CLOSED with reason', async () => {
    const c = await RawClient.open(te.url(r.host))
    await c.auth(member, r.host)
    const authors = Array.from({ length: 5000 }, (_, i) => i.toString(16).padStart(64, '0'))
    const big = await c.req('big', { authors })
    expect(big.end).toEqual(['CLOSED', 'big', expect.stringMatching(/^invalid: authors has more than/)])
    const many = await c.req('many', ...Array.from({ length: 11 }, () => ({ kinds: [1] })))
    expect(many.end[2]).toMatch(/^invalid: too many filters/)
    const longId = 'x'.repeat(65)
    expect((await c.req(longId, {})).end).toEqual(['CLOSED', longId, expect.stringMatching(/^invalid: /)])
    const badFilter = await c.req('bad', { kinds: ['one'] })
    expect(badFilter.end[2]).toMatch(/^invalid: kinds/)
    // 1000 authors is within limits and served
    expect((await c.req('ok', { authors: authors.slice(0, 1000) })).end[0]).toBe('EOSE')
    c.close()
  })

  it('more than 50 subscriptions → CLOSED error: too many subscriptions; reusing an id replaces', async () => {
    const c = await RawClient.open(te.url(r.host))
    await c.auth(member, r.host)
    for (let i = 0; i < 50; i++) expect((await c.req(`s${i}`, { kinds: [1], limit: 0 })).end[0]).toBe('EOSE')
    expect((await c.req('s0', { kinds: [1], limit: 0 })).end[0]).toBe('EOSE')
    expect((await c.req('s50', { kinds: [1], limit: 0 })).end).toEqual(['CLOSED', 's50', 'error: too many subscriptions'])
    c.send(['CLOSE', 's1'])
    expect((await c.req('s50', { kinds: [1], limit: 0 })).end[0]).toBe('EOSE')
    c.close()
  })

  it('an oversized frame closes that connection with 1009; another client keeps working', async () => {
    const bystander = await authedRelay(te.url(r.host), member)
    const c = await RawClient.open(te.url(r.host))
    c.send(JSON.stringify(['EVENT', { content: 'x'.repeat(600_000) }]))
    expect((await c.closed).code).toBe(1009)
    expect(await publish(bystander, sign(member, { kind: 1, content: 'still fine' }))).toBe('ok:')
    bystander.close()
  })

  it('binary frames get a NOTICE', async () => {
    const c = await RawClient.open(te.url(r.host))
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect((await c.next())[1]).toMatch(/^invalid: /)
    c.close()
  })

  it('the API host refuses WebSocket upgrades', async () => {
    const ws = new LocalWebSocket(`ws://${te.apiHost}`)
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })
    expect(status).toBe(404)
    expect(WebSocket).toBeDefined()
  })
})
