import { describe, expect, it } from 'vitest'
import { DEFAULT_EXEMPT_KINDS, exemptKindsToSave, kindLabel, parseKinds, splitExemptKinds } from './kinds'

describe('exempt kinds', () => {
  it('offers gift wraps, zap receipts, the three NWC kinds and remote signing by default', () => {
    expect(DEFAULT_EXEMPT_KINDS.map((k) => k.kind)).toEqual([1059, 9735, 13194, 23194, 23195, 24133])
  })

  it('reads custom kinds separated by commas or spaces, once each', () => {
    expect(parseKinds(' 7, 30023 7\n1 ')).toEqual({ kinds: [7, 30023, 1] })
    expect(parseKinds('')).toEqual({ kinds: [] })
  })

  it('refuses what is not a kind, naming it', () => {
    expect(parseKinds('7, seven')).toEqual({ error: '“seven” is not an event kind (a whole number from 0 to 65535).' })
    expect(parseKinds('65536')).toEqual({ error: '“65536” is not an event kind (a whole number from 0 to 65535).' })
    expect(parseKinds('-1')).toHaveProperty('error')
  })

  it('saves the checked defaults then the custom kinds without repeats, at most 64', () => {
    expect(exemptKindsToSave([1059, 24133], '7, 1059')).toEqual({ kinds: [1059, 24133, 7] })
    const many = Array.from({ length: 65 }, (_, i) => i).join(',')
    expect(exemptKindsToSave([], many)).toEqual({ error: 'At most 64 kinds can be exempt.' })
  })

  it('splits a saved list back into checkboxes and custom text', () => {
    expect(splitExemptKinds([1059, 7, 9735, 30023])).toEqual({ checked: [1059, 9735], custom: '7, 30023' })
  })

  it('names common kinds', () => {
    expect(kindLabel(1)).toBe('Notes (kind 1)')
    expect(kindLabel(31337)).toBe('Kind 31337')
  })
})
