import { expect, it } from 'vitest'
import { inviteTemplate, memberChangeTemplate, memberListTemplate, membersOf, newClaimCode } from './nip43.js'

it('builds relay membership events tagged - and reads member lists', () => {
  const list = memberListTemplate(['b', 'a'], 5)
  expect(list).toMatchObject({ kind: 13534, created_at: 5 })
  expect(list.tags).toEqual([['-'], ['member', 'a'], ['member', 'b']])
  expect(membersOf({ ...list, id: '', pubkey: '', sig: '' })).toEqual(['a', 'b'])
  expect(memberChangeTemplate(8000, 'p', 1).tags).toEqual([['-'], ['p', 'p']])
  expect(inviteTemplate('i', 'CODE1234', 1).tags).toEqual([['-'], ['claim', 'CODE1234'], ['p', 'i']])
  for (let i = 0; i < 50; i++) expect(newClaimCode()).toMatch(/^[A-Z0-9]{8}$/)
})
