import { describe, expect, it } from 'vitest'
import { readGates, writePipeline } from './policies.js'

describe('policies', () => {
  it('the write pipeline reads as engine.md §5.5, in order', () => {
    expect(writePipeline.map((step) => step.name)).toEqual([
      'rejectInvalidEvent',
      'rejectExpiredEvent',
      'rejectBannedOrDeletedEvent',
      'rejectRelayOwnedKind',
      'acceptMemberDelivery',
      'requireAuthentication',
      'requireAuthorIsAuthenticated',
      'rejectBannedAuthor',
      'handleMembershipRequest',
      'requireMembership',
      'requireGroupsEnabled',
      'handleGroupModeration',
      'handleGroupJoinOrLeave',
      'requireGroupWriteAccess',
    ])
    expect(readGates.map((gate) => gate.name)).toEqual(['requireAuthenticationToRead', 'requireMembershipToRead'])
  })
})
