import { describe, expect, it } from 'vitest'
import { shortNpub } from './format'
import { displayName, joinedText, memberNote, removable } from './members'

const PK = 'a'.repeat(64)

describe('members in words', () => {
  it('shows the name, else a short npub', () => {
    expect(displayName({ pubkey: PK, name: 'Bob' })).toBe('Bob')
    expect(displayName({ pubkey: PK, name: null })).toBe(shortNpub(PK))
    expect(displayName({ pubkey: PK, name: '  ' })).toBe(shortNpub(PK))
  })

  it('says how a member came in, with the invite code', () => {
    const at = Date.UTC(2026, 4, 1, 12) / 1000
    expect(joinedText({ via: 'invite', code: 'ABCD1234', joined_at: at })).toMatch(/^Joined with invite ABCD1234 on .*2026/)
    expect(joinedText({ via: 'claim', code: 'XY12', joined_at: null })).toBe('Joined with invite XY12')
    expect(joinedText({ via: 'public', code: null, joined_at: null })).toBe('Joined freely (public join)')
    expect(joinedText({ via: 'api', code: null, joined_at: null })).toBe('Added from the dashboard')
    expect(joinedText({ via: null, code: null, joined_at: null })).toBe('Added')
  })

  it('says what a configured key is rather than how it joined', () => {
    expect(memberNote({ role: 'owner', via: 'api', code: null, joined_at: null })).toBe('The relay’s owner. Part of the relay’s setup.')
    expect(memberNote({ role: 'member', via: 'api', code: null, joined_at: null })).toBe('Added from the dashboard')
  })

  it('lets only plain members be removed', () => {
    expect(removable({ role: 'member' })).toBe(true)
    for (const role of ['owner', 'relay', 'operator'] as const) expect(removable({ role })).toBe(false)
  })
})
