import { describe, expect, it } from 'vitest'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { addressKey, matchesFilter, parseFilter, serializeEvent, stripSignature } from './nip01.js'

const sk = generateSecretKey()
const ev = (kind: number, tags: string[][] = []) => finalizeEvent({ kind, tags, content: 'c', created_at: 100 }, sk)

describe('nip01', () => {
  it('parses filters and rejects bad shapes', () => {
    const f = parseFilter({ kinds: [1], '#t': ['a'], since: 5, unknown: true })
    expect(f.kinds).toEqual([1])
    expect(f.tags?.get('t')).toEqual(['a'])
    expect(() => parseFilter({ kinds: [1.5] })).toThrow(/kinds/)
    expect(() => parseFilter({ ids: 'x' })).toThrow(/ids/)
    expect(() => parseFilter({ authors: Array(1001).fill('a') })).toThrow(/more than 1000/)
    expect(() => parseFilter([])).toThrow()
  })

  it('matches tags by first value, time window and kinds', () => {
    const e = ev(1, [['t', 'x', 'extra'], ['p', 'y']])
    expect(matchesFilter(parseFilter({ '#t': ['x'] }), e)).toBe(true)
    expect(matchesFilter(parseFilter({ '#t': ['extra'] }), e)).toBe(false)
    expect(matchesFilter(parseFilter({ kinds: [2] }), e)).toBe(false)
    expect(matchesFilter(parseFilter({ since: 101 }), e)).toBe(false)
    expect(matchesFilter(parseFilter({ search: 'c' }), e)).toBe(false)
  })

  it('address keys by kind class', () => {
    expect(addressKey(ev(1))).toBeNull()
    expect(addressKey(ev(0))).toBe('')
    expect(addressKey(ev(10002))).toBe('')
    expect(addressKey(ev(30023, [['d', 'x']]))).toBe('x')
    expect(addressKey(ev(30023))).toBe('')
  })

  it('strips a serialised signature without re-serialising', () => {
    const e = ev(1)
    const stripped = JSON.parse(stripSignature(serializeEvent(e)))
    expect(stripped).toEqual({ ...JSON.parse(JSON.stringify(e)), sig: '0'.repeat(128) })
  })
})
