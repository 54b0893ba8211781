import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { serializeEvent } from './nip01.js'
import { adminsTemplate, canSeeGroupEvent, GroupRegistry, groupTagInJson, membersTemplate, metadataFromTags, type Group } from './nip29.js'
import type { Viewer } from './visibility.js'

const ev = (tags: string[][], content = ''): NostrEvent =>
  ({ id: 'i'.repeat(64), pubkey: 'p'.repeat(64), created_at: 1, kind: 9, tags, content, sig: 's'.repeat(128) }) as NostrEvent

describe('groupTagInJson', () => {
  it('reads the first h of a serialised event without parsing it, escapes included', () => {
    expect(groupTagInJson(serializeEvent(ev([['e', 'x'], ['h', 'room-1'], ['h', 'second']])))).toBe('room-1')
    expect(groupTagInJson(serializeEvent(ev([['h', 'a"b\\c']])))).toBe('a"b\\c')
    expect(groupTagInJson(serializeEvent(ev([['t', 'h']], '["h","fake"]')))).toBeUndefined()
    expect(groupTagInJson(serializeEvent(ev([['hh', 'x'], ['h']])))).toBeUndefined()
  })
})

describe('state events', () => {
  it('39000 metadata drops h, d, previous and -; lists are sorted', () => {
    expect(metadataFromTags([['h', 'g'], ['name', 'N'], ['previous', 'abcd'], ['-'], ['closed']])).toEqual([['name', 'N'], ['closed']])
    const group: Group = { id: 'g', metadata: [], members: new Set(['b', 'a']), admins: [] }
    expect(membersTemplate(group, 3).tags).toEqual([['d', 'g'], ['p', 'a'], ['p', 'b']])
    expect(adminsTemplate('g', ['z', 'y'], 3).tags).toEqual([['d', 'g'], ['p', 'y', 'admin'], ['p', 'z', 'admin']])
  })
})

describe('canSeeGroupEvent', () => {
  const me = 'm'.repeat(64)
  const registry = new GroupRegistry()
  registry.enabled = true
  const add = (id: string, flags: string[], members: string[] = []) =>
    registry.groups.set(id, { id, metadata: flags.map((f) => [f]), members: new Set(members), admins: [] })
  add('open', [])
  add('priv', ['private'])
  add('hid', ['hidden'])
  add('mine', ['private', 'hidden'], [me])
  const outsider: Viewer = { authed: new Set([me]), member: true, admin: false }
  const admin: Viewer = { ...outsider, admin: true }
  const stranger: Viewer = { ...outsider, member: false }
  const see = (v: Viewer, kind: number, group: string | undefined, author = 'x') => canSeeGroupEvent(registry, v, kind, group, () => author)

  it('follows §5.8: hidden invisible, private shows 39000 and 9008, others open to relay members', () => {
    expect(see(outsider, 9, 'open')).toBe(true)
    expect(see(outsider, 9, 'priv')).toBe(false)
    expect(see(outsider, 39002, 'priv')).toBe(false)
    expect(see(outsider, 39000, 'priv')).toBe(true)
    expect(see(outsider, 9008, 'priv')).toBe(true)
    expect(see(outsider, 39000, 'hid')).toBe(false)
    expect(see(outsider, 9, 'mine')).toBe(true)
    expect(see(admin, 9, 'hid')).toBe(true)
    expect(see(stranger, 9, 'open')).toBe(false)
  })

  it('invite codes go to admins and their author; h of no group is not a group event; off hides everything', () => {
    expect(see(outsider, 9009, 'open')).toBe(false)
    expect(see(outsider, 9021, 'open', me)).toBe(true)
    expect(see(admin, 9009, 'open')).toBe(true)
    expect(see(outsider, 1, 'unknown')).toBeUndefined()
    expect(see(outsider, 1, undefined)).toBeUndefined()
    expect(see(outsider, 9008, 'deleted-group')).toBe(true)
    registry.enabled = false
    expect(see(admin, 9, 'open')).toBe(false)
    expect(see(admin, 39000, 'deleted-group')).toBe(false)
    registry.enabled = true
  })
})
