import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { canSee, canSeeStored, type Viewer } from './visibility.js'

const self = 's'.repeat(64)
const me = 'a'.repeat(64)
const ev = (kind: number, tags: string[][] = [], pubkey = 'b'.repeat(64)) => ({ id: 'i', kind, tags, pubkey, content: '', created_at: 1, sig: '' }) as NostrEvent
const member: Viewer = { authed: new Set([me]), member: true, admin: false }
const outsider: Viewer = { authed: new Set([me]), member: false, admin: false }

describe('visibility (§5.4)', () => {
  it('hides AUTH, join and leave requests from everyone', () => {
    for (const kind of [22242, 28934, 28936]) expect(canSee(member, ev(kind), self)).toBe(false)
  })
  it('invites and gift wraps go only to their p recipients', () => {
    expect(canSee(member, ev(28935, [['p', me]]), self)).toBe(true)
    expect(canSee(member, ev(28935, [['p', 'c'.repeat(64)]]), self)).toBe(false)
    expect(canSee(member, ev(1059, [['p', me]]), self)).toBe(true)
    expect(canSee(member, ev(1059, [['p', 'c'.repeat(64)]]), self)).toBe(false)
  })
  it('exempt kinds go to their author, p recipients and admins (zap receipts to every member); other members and outsiders see none', () => {
    const exempt = new Set([9735, 23194])
    const other = 'c'.repeat(64)
    const admin: Viewer = { ...member, admin: true }
    expect(canSee(member, ev(23194, [['p', other]]), self, undefined, exempt)).toBe(false)
    expect(canSee(member, ev(9735, [['p', other]]), self, undefined, exempt)).toBe(true)
    expect(canSee(outsider, ev(9735, [['p', other]]), self, undefined, exempt)).toBe(false)
    expect(canSee(member, ev(9735, [['p', me]]), self, undefined, exempt)).toBe(true)
    expect(canSee(outsider, ev(23194, [['p', other]], me), self, undefined, exempt)).toBe(true)
    expect(canSee(outsider, ev(23194, [['p', other]]), self, undefined, exempt)).toBe(false)
    expect(canSee(admin, ev(9735, [['p', other]]), self, undefined, exempt)).toBe(true)
    expect(canSee(admin, ev(1059, [['p', other]]), self, undefined, exempt)).toBe(false)
    expect(canSee(member, ev(9735, [['p', other]]), self)).toBe(true)
    const row = (e: NostrEvent) => ({ id: 'i', kind: e.kind, json: JSON.stringify(e) })
    expect(canSeeStored(member, row(ev(23194, [['p', other]])), self, undefined, exempt)).toBe(false)
    expect(canSeeStored(member, row(ev(9735, [['p', other]])), self, undefined, exempt)).toBe(true)
    expect(canSeeStored(outsider, row(ev(23194, [['p', me]])), self, undefined, exempt)).toBe(true)
  })

  it('internal state is delivered to nobody; everything else to members', () => {
    expect(canSee(member, ev(30078, [['d', 'zooid/banned_pubkeys']], self), self)).toBe(false)
    expect(canSee(member, ev(30078, [['d', 'zooid/x']]), self)).toBe(true)
    expect(canSee(member, ev(13534), self)).toBe(true)
    expect(canSee(outsider, ev(1), self)).toBe(false)
    expect(canSeeStored(member, { id: 'i', kind: 1, json: '' }, self)).toBe(true)
    expect(canSeeStored(member, { id: 'i', kind: 1059, json: JSON.stringify(ev(1059, [['p', me]])) }, self)).toBe(true)
  })
})
