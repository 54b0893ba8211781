import { describe, expect, it } from 'vitest'
import { inviteState, parseInviteForm } from './invites'

const NOW = 1_800_000_000
const invite = { revoked: false, expires_at: null, max_uses: null, uses: 0 }

describe('inviteState', () => {
  it('says whether a code still works, revoked first', () => {
    expect(inviteState(invite, NOW).label).toBe('Active')
    expect(inviteState({ ...invite, expires_at: NOW }, NOW).label).toBe('Expired')
    expect(inviteState({ ...invite, max_uses: 2, uses: 2 }, NOW).label).toBe('Used up')
    expect(inviteState({ ...invite, max_uses: 2, uses: 1 }, NOW).label).toBe('Active')
    expect(inviteState({ ...invite, revoked: true, expires_at: NOW - 1 }, NOW).label).toBe('Revoked')
  })
})

describe('parseInviteForm', () => {
  const now = new Date(2026, 4, 10, 12, 0, 0)

  it('sends only what was filled in', () => {
    expect(parseInviteForm({ label: '  ', maxUses: '', expires: '' }, now)).toEqual({ input: {} })
    expect(parseInviteForm({ label: ' Flyers ', maxUses: '25', expires: '' }, now)).toEqual({ input: { label: 'Flyers', max_uses: 25 } })
  })

  it('reads an expiry date as the end of that day, local time', () => {
    const parsed = parseInviteForm({ label: '', maxUses: '', expires: '2026-05-10' }, now)
    expect(parsed).toEqual({ input: { expires_at: Math.floor(new Date(2026, 4, 10, 23, 59, 59).getTime() / 1000) } })
  })

  it('refuses a past date and a max that is not a positive whole number', () => {
    expect(parseInviteForm({ label: '', maxUses: '', expires: '2026-05-09' }, now)).toEqual({
      error: 'The expiry date is in the past. Choose a later day, or leave it empty.',
    })
    expect(parseInviteForm({ label: '', maxUses: '0', expires: '' }, now)).toHaveProperty('error')
    expect(parseInviteForm({ label: '', maxUses: '2.5', expires: '' }, now)).toHaveProperty('error')
  })
})
