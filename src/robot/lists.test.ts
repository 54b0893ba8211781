import { describe, expect, it } from 'vitest'
import { finalizeEvent, generateSecretKey, getPublicKey, type NostrEvent } from 'nostr-tools/pure'
import { newestReplaceable, normalizeRelayUrl, parseDmRelays, parseRelayList, robotListTemplates } from './lists.js'

const sk = generateSecretKey()
const pk = getPublicKey(sk)
const sign = (kind: number, created_at: number, tags: string[][] = [], key = sk) => finalizeEvent({ kind, created_at, tags, content: '' }, key)
/** A copy as it would arrive from the wire (no cached verification). */
const wire = (e: object): NostrEvent => JSON.parse(JSON.stringify(e))

describe('normalizeRelayUrl', () => {
  it('keeps ws(s) URLs in canonical form and refuses everything else', () => {
    expect(normalizeRelayUrl('wss://Relay.Example.com/')).toBe('wss://relay.example.com/')
    expect(normalizeRelayUrl('wss://relay.example.com:443')).toBe('wss://relay.example.com/')
    expect(normalizeRelayUrl('ws://127.0.0.1:7000')).toBe('ws://127.0.0.1:7000/')
    for (const bad of ['https://relay.example.com', 'relay.example.com', 'wss://user:pw@relay.example.com', '', 42, null]) {
      expect(normalizeRelayUrl(bad)).toBeUndefined()
    }
  })
})

describe('newestReplaceable', () => {
  it('takes the highest created_at', () => {
    const old = sign(10050, 100)
    const recent = sign(10050, 200)
    expect(newestReplaceable([recent, old].map(wire), pk, 10050)?.id).toBe(recent.id)
    expect(newestReplaceable([old, recent].map(wire), pk, 10050)?.id).toBe(recent.id)
  })

  it('breaks a created_at tie by the lowest id', () => {
    const a = sign(10050, 100, [['relay', 'wss://a.example']])
    const b = sign(10050, 100, [['relay', 'wss://b.example']])
    const lowest = a.id < b.id ? a : b
    expect(newestReplaceable([a, b].map(wire), pk, 10050)?.id).toBe(lowest.id)
    expect(newestReplaceable([b, a].map(wire), pk, 10050)?.id).toBe(lowest.id)
  })

  it('ignores forged signatures, other authors and other kinds, however new', () => {
    const genuine = sign(10050, 100)
    const forged = wire({ ...sign(10050, 900), content: 'tampered' })
    const other = sign(10050, 900, [], generateSecretKey())
    const otherKind = sign(10002, 900)
    expect(newestReplaceable([forged, other, otherKind, wire(genuine)], pk, 10050)?.id).toBe(genuine.id)
    expect(newestReplaceable([forged, other, otherKind], pk, 10050)).toBeUndefined()
  })
})

describe('list parsing', () => {
  it('reads NIP-65 markers: none = both', () => {
    const event = sign(10002, 1, [
      ['r', 'wss://both.example'],
      ['r', 'wss://read.example', 'read'],
      ['r', 'wss://write.example', 'write'],
      ['r', 'not a url', 'write'],
      ['p', 'wss://not-an-r-tag.example'],
    ])
    expect(parseRelayList(event)).toEqual({
      read: ['wss://both.example/', 'wss://read.example/'],
      write: ['wss://both.example/', 'wss://write.example/'],
    })
  })

  it('reads 10050 relay tags, deduplicated and capped', () => {
    const urls = ['wss://a.example', 'wss://A.example/', 'wss://b.example', 'https://c.example', 'wss://d.example', 'wss://e.example', 'wss://f.example', 'wss://g.example']
    expect(parseDmRelays(sign(10050, 1, urls.map((u) => ['relay', u])), 3)).toEqual(['wss://a.example/', 'wss://b.example/', 'wss://d.example/'])
  })
})

describe('robotListTemplates', () => {
  it('builds kind 0, 10002 with r tags and 10050 with relay tags', () => {
    const t = robotListTemplates({ name: 'Caravel', description: 'hi', picture: 'https://x.example/p.png', outboxRelays: ['wss://out.example'], messagingRelays: ['wss://dm.example'] })
    expect(t.map((e) => e.kind)).toEqual([0, 10002, 10050])
    expect(JSON.parse(t[0]!.content)).toEqual({ name: 'Caravel', display_name: 'Caravel', about: 'hi', picture: 'https://x.example/p.png' })
    expect(t[1]!.tags).toEqual([['r', 'wss://out.example/']])
    expect(t[2]!.tags).toEqual([['relay', 'wss://dm.example/']])
  })

  it('publishes no empty list', () => {
    const t = robotListTemplates({ name: 'Caravel', description: 'hi', picture: undefined, outboxRelays: [], messagingRelays: [] })
    expect(t.map((e) => e.kind)).toEqual([0])
    expect(JSON.parse(t[0]!.content)).not.toHaveProperty('picture')
  })
})
