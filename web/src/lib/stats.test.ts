import { describe, expect, it } from 'vitest'
import type { RelayStats } from './api'
import { formatBytes, kindSeries, kindSummary, memberSeries, memberSummary, stack } from './stats'

const daily: RelayStats['daily'] = [
  { day: '2026-05-01', events: { '1': 5, '7': 2, '0': 1, '3': 1, '30023': 1, '9735': 0 }, members: 2 },
  { day: '2026-05-02', events: { '1': 3, '7': 4, '1059': 2 }, members: 3 },
  { day: '2026-05-03', events: {}, members: 3 },
]

describe('kindSeries', () => {
  it('keeps the busiest kinds and sums the rest as other kinds, day by day', () => {
    const s = kindSeries(daily, 2)
    expect(s.days).toEqual(['2026-05-01', '2026-05-02', '2026-05-03'])
    expect(s.x[0]).toBe(Date.UTC(2026, 4, 1) / 1000)
    expect(s.bands.map((b) => [b.label, b.values])).toEqual([
      ['Notes (kind 1)', [5, 3, 0]],
      ['Reactions (kind 7)', [2, 4, 0]],
      ['Other kinds', [3, 2, 0]],
    ])
    expect(s.bands[2]!.kinds.sort((a, b) => a - b)).toEqual([0, 3, 1059, 30023])
    expect(s.totals).toEqual([10, 9, 0])
  })

  it('has no "other" band when every kind is shown, and none for an empty period', () => {
    expect(kindSeries(daily, 10).bands.some((b) => b.label === 'Other kinds')).toBe(false)
    expect(kindSeries([], 4)).toEqual({ days: [], x: [], bands: [], totals: [] })
  })

  it('stacks bands as running totals', () => {
    expect(stack([[1, 2], [3, 4], [0, 1]])).toEqual([[1, 2], [4, 6], [4, 7]])
  })

  it('sums it up in a sentence', () => {
    expect(kindSummary(kindSeries(daily, 2))).toBe(
      '19 events over 3 days; busiest day 2026-05-01 with 10. Notes (kind 1): 8; Reactions (kind 7): 6; Other kinds: 5.',
    )
    expect(kindSummary(kindSeries([], 2))).toBe('No events were stored in this period.')
  })
})

describe('memberSeries', () => {
  it('carries the plan limit for the line, or none when unlimited', () => {
    const s = memberSeries({ daily, members_allowed: 10 })
    expect(s.members).toEqual([2, 3, 3])
    expect(s.limit).toBe(10)
    expect(memberSummary(s)).toBe('Members went from 2 on 2026-05-01 to 3 on 2026-05-03 (peak 3). The plan allows 10.')
    expect(memberSummary(memberSeries({ daily, members_allowed: null }))).toContain('The plan has no member limit.')
  })
})

describe('formatBytes', () => {
  it('reads as people say sizes', () => {
    expect(formatBytes(0)).toBe('0 bytes')
    expect(formatBytes(1)).toBe('1 byte')
    expect(formatBytes(1500)).toBe('1.5 KB')
    expect(formatBytes(2_400_000)).toBe('2.4 MB')
    expect(formatBytes(123_000_000)).toBe('123 MB')
  })
})
