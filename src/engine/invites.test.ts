import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { decodeInviteRequest, inviteView, isUsable, managedInviteTemplate, readManagedInvite, type ManagedInvite } from './invites.js'

const now = 1_000_000
const invite: ManagedInvite = { code: 'ABCD1234', label: 'launch', created_at: now, max_uses: 2, expires_at: now + 60, revoked_at: null }

describe('managed invites', () => {
  it('validates the POST body', () => {
    expect(decodeInviteRequest({}, now)).toEqual({ label: '', max_uses: null, expires_at: null })
    expect(decodeInviteRequest({ label: 'x'.repeat(100), max_uses: 1, expires_at: now + 1 }, now)).toMatchObject({ max_uses: 1 })
    const refusal = (body: unknown) => {
      try {
        decodeInviteRequest(body, now)
      } catch (err) {
        return (err as Error).message
      }
      return 'accepted'
    }
    expect(refusal([])).toBe('invalid json: expected a JSON object')
    expect(refusal({ label: 3 })).toBe('invalid json: label must be a string')
    expect(refusal({ label: 'x'.repeat(101) })).toBe('label must be at most 100 characters')
    expect(refusal({ max_uses: 0 })).toBe('max_uses must be a whole number of 1 or more, or null')
    expect(refusal({ max_uses: 1.5 })).toBe('max_uses must be a whole number of 1 or more, or null')
    expect(refusal({ expires_at: '2030' })).toBe('expires_at must be a unix time in seconds, or null')
    expect(refusal({ expires_at: now })).toBe('expires_at must be in the future')
  })

  it('round-trips through its internal event', () => {
    const t = managedInviteTemplate({ ...invite, revoked_at: now + 5 }, now + 5)
    expect(t.kind).toBe(30078)
    expect(t.tags.slice(0, 2)).toEqual([['d', 'zooid/invite/ABCD1234'], ['-']])
    const event: NostrEvent = { ...t, id: '', pubkey: 's'.repeat(64), sig: '' }
    expect(readManagedInvite(event)).toEqual({ ...invite, revoked_at: now + 5 })
    const plain = managedInviteTemplate({ ...invite, label: '', max_uses: null, expires_at: null }, now)
    expect(readManagedInvite({ ...plain, id: '', pubkey: '', sig: '' })).toEqual({ ...invite, label: '', max_uses: null, expires_at: null })
  })

  it('is usable while not revoked, not expired and under max_uses', () => {
    expect(isUsable(invite, 1, now)).toBe(true)
    expect(isUsable(invite, 2, now)).toBe(false)
    expect(isUsable(invite, 0, now + 60)).toBe(false)
    expect(isUsable({ ...invite, revoked_at: now }, 0, now)).toBe(false)
    expect(isUsable({ ...invite, max_uses: null, expires_at: null }, 10_000, now + 1e6)).toBe(true)
    expect(inviteView(invite, [{ pubkey: 'a', joined_at: now + 1, via: 'invite', code: invite.code }])).toEqual({
      code: 'ABCD1234', label: 'launch', created_at: now, max_uses: 2, expires_at: now + 60, revoked: false, uses: 1,
      joins: [{ pubkey: 'a', joined_at: now + 1 }],
    })
  })
})
