import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { JoinLog, joinTemplate, memberDetail, readJoin } from './joins.js'

const asEvent = (t: ReturnType<typeof joinTemplate>): NostrEvent => ({ ...t, id: '', pubkey: 's'.repeat(64), sig: '' })

describe('join log', () => {
  it('records one internal 30078 per addition and reads it back', () => {
    const t = joinTemplate('a', { via: 'invite', code: 'ABCD1234' }, 7)
    expect(t.kind).toBe(30078)
    expect(t.tags[0]![1]).toMatch(/^zooid\/join\/[0-9a-f]{16}$/)
    expect(t.tags).toContainEqual(['-'])
    expect(joinTemplate('a', { via: 'api', code: null }, 7).tags[0]).not.toEqual(t.tags[0])
    expect(readJoin(asEvent(t))).toEqual({ pubkey: 'a', joined_at: 7, via: 'invite', code: 'ABCD1234' })
    expect(readJoin(asEvent(joinTemplate('a', { via: 'public', code: null }, 7)))).toMatchObject({ via: 'public', code: null })
    expect(readJoin({ ...asEvent(t), tags: [['d', 'zooid/banned_pubkeys']] })).toBeUndefined()
    expect(readJoin({ ...asEvent(t), tags: t.tags.map((x) => (x[0] === 'via' ? ['via', 'magic'] : x)) })).toBeUndefined()
  })

  it('keeps the newest record per member and every join per managed invite', () => {
    const log = JoinLog.from([
      asEvent(joinTemplate('a', { via: 'public', code: null }, 9)),
      asEvent(joinTemplate('a', { via: 'invite', code: 'X' }, 3)),
      asEvent(joinTemplate('b', { via: 'invite', code: 'X' }, 5)),
      asEvent(joinTemplate('c', { via: 'claim', code: 'Y' }, 6)),
    ])
    expect(log.latestOf('a')).toMatchObject({ via: 'public', joined_at: 9 })
    expect(log.joinsWith('X').map((j) => j.pubkey)).toEqual(['a', 'b'])
    expect(log.joinsWith('Y')).toEqual([])
    expect(memberDetail('c', log.latestOf('c'))).toEqual({ pubkey: 'c', joined_at: 6, via: 'claim', code: 'Y' })
    expect(memberDetail('z', log.latestOf('z'))).toEqual({ pubkey: 'z', joined_at: null, via: null, code: null })
  })
})
