import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor, pageOf } from './pagination.js'

describe('keyset pagination', () => {
  it('round-trips cursors and refuses foreign ones', () => {
    expect(decodeCursor(encodeCursor([5, 'x']), ['number', 'string'])).toEqual([5, 'x'])
    for (const bad of ['%%%', encodeCursor(['x']), encodeCursor([5, 6]), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeCursor(bad, ['number', 'string'])).toThrow(/cursor/)
    }
  })
  it('builds a page from limit + 1 rows', () => {
    const page = pageOf([1, 2, 3], 2, (n) => n * 10, (n) => [n])
    expect(page.items).toEqual([10, 20])
    expect(decodeCursor(page.next_cursor!, ['number'])).toEqual([2])
    expect(pageOf([1], 2, (n) => n, (n) => [n]).next_cursor).toBeNull()
  })
})
