import { describe, expect, it } from 'vitest'
import { TtlCache } from './session-cache.js'

describe('TtlCache', () => {
  it('keeps values for the ttl, forgets them on delete and clear, and caches only found lookups', async () => {
    let now = 1_000
    const cache = new TtlCache<string>(100, () => now)
    cache.set('a', 'x')
    expect(cache.get('a')).toBe('x')
    now += 100
    expect(cache.get('a')).toBe('x')
    now += 1
    expect(cache.get('a')).toBeUndefined()
    let lookups = 0
    const lookup = async () => (++lookups, 'y')
    expect(await cache.through('b', lookup)).toBe('y')
    expect(await cache.through('b', lookup)).toBe('y')
    expect(lookups).toBe(1)
    expect(await cache.through('missing', async () => undefined)).toBeUndefined()
    expect(await cache.through('missing', async () => 'now here')).toBe('now here')
    cache.delete('b')
    expect(cache.get('b')).toBeUndefined()
    cache.set('c', 'z')
    cache.clear()
    expect(cache.get('c')).toBeUndefined()
  })

  it('caches nothing with a ttl of 0', () => {
    const cache = new TtlCache<string>(0)
    cache.set('a', 'x')
    expect(cache.get('a')).toBeUndefined()
  })
})
