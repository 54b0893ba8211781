import { describe, expect, it } from 'vitest'
import { pageAfter } from './relay-management.js'

describe('pageAfter (paging a relay that answered its whole list)', () => {
  const rows = ['c', 'a', 'e', 'b', 'd'].map((k) => ({ k }))
  const key = (r: { k: string }) => r.k

  it('sorts by key, starts after the cursor key and stops at the limit', () => {
    expect(pageAfter(rows, key, { limit: 2 }).map(key)).toEqual(['a', 'b'])
    expect(pageAfter(rows, key, { limit: 2, after: 'b' }).map(key)).toEqual(['c', 'd'])
    expect(pageAfter(rows, key, { limit: 2, after: 'd' }).map(key)).toEqual(['e'])
    expect(pageAfter(rows, key, { limit: 2, after: 'e' })).toEqual([])
  })

  it('without a limit answers everything after the cursor, in key order', () => {
    expect(pageAfter(rows, key, {}).map(key)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(pageAfter(rows, key, { after: 'c' }).map(key)).toEqual(['d', 'e'])
  })
})
