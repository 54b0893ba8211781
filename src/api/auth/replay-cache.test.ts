import { describe, expect, it } from 'vitest'
import { ReplayCache } from './replay-cache.js'

describe('ReplayCache', () => {
  it('accepts an id once while it is remembered, and forgets it after the TTL', () => {
    const cache = new ReplayCache(120)
    expect(cache.use('a', 1000)).toBe(true)
    expect(cache.use('a', 1100)).toBe(false)
    expect(cache.use('b', 1110)).toBe(true)
    expect(cache.use('a', 1121)).toBe(true)
    expect(cache.size).toBe(2)
  })
})
