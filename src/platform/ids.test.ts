import { describe, expect, it } from 'vitest'
import { randomId, sortableId } from './ids.js'

describe('ids', () => {
  it('makes 128-bit URL-safe random ids', () => {
    expect(randomId()).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(randomId()).not.toBe(randomId())
  })

  it('makes sortable ids that follow write order, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => sortableId(1_700_000_000_000))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(1000)
    expect(sortableId() > ids[999]!).toBe(true)
    expect(ids[0]).toMatch(/^[0-9a-f]{16}[A-Za-z0-9_-]{16}$/)
  })
})
