// NIP-43 relay membership: the relay-signed member list (13534), added/removed notices (8000/8001), join
// (28934) and leave (28936) requests, and invite claims (28935). Templates here; state lives in VirtualRelay.
import { randomInt } from 'node:crypto'
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { firstTagValue } from './nip01.js'
import { PUBLIC_JOIN } from './joins.js'
import type { Outcome } from './outcome.js'
import type { VirtualRelay } from './relay.js'

export const MEMBER_LIST_KIND = 13534
export const MEMBER_ADDED_KIND = 8000
export const MEMBER_REMOVED_KIND = 8001
export const JOIN_REQUEST_KIND = 28934
export const INVITE_KIND = 28935
export const LEAVE_REQUEST_KIND = 28936
export const JOIN_WINDOW_SECONDS = 600
/** Caravel policy.max_members reached: joins and NIP-86 allowpubkey are refused with this. */
export const RELAY_FULL = 'restricted: this relay is full'

export const memberListTemplate = (members: Iterable<string>, createdAt: number): EventTemplate => ({
  kind: MEMBER_LIST_KIND,
  created_at: createdAt,
  tags: [['-'], ...[...members].sort().map((pk) => ['member', pk])],
  content: '',
})

export const memberChangeTemplate = (kind: number, pubkey: string, createdAt: number): EventTemplate => ({
  kind,
  created_at: createdAt,
  tags: [['-'], ['p', pubkey]],
  content: '',
})

export const inviteTemplate = (inviter: string, code: string, createdAt: number): EventTemplate => ({
  kind: INVITE_KIND,
  created_at: createdAt,
  tags: [['-'], ['claim', code], ['p', inviter]],
  content: '',
})

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

export function newClaimCode(): string {
  let code = ''
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return code
}

export const membersOf = (list: NostrEvent | undefined): string[] =>
  list ? list.tags.filter((t) => t[0] === 'member' && typeof t[1] === 'string').map((t) => t[1]!) : []

/** Write pipeline step 9 for 28934: public join, a valid claim or a usable managed invite makes the author a member. */
export function handleJoinRequest(relay: VirtualRelay, event: NostrEvent, now: number): Outcome {
  if (relay.isMember(event.pubkey)) return { ok: true, message: 'duplicate: you are already a member of this relay' }
  if (Math.abs(now - event.created_at) > JOIN_WINDOW_SECONDS) {
    return { ok: false, message: 'invalid: join request is too old' }
  }
  const admission = relay.admissionFor(firstTagValue(event, 'claim'), now)
  if (!relay.config.policy.public_join && admission === undefined) {
    return { ok: false, message: 'invalid: failed to validate invite code' }
  }
  if (relay.isFullFor(event.pubkey)) return { ok: false, message: RELAY_FULL }
  relay.addMembers([event.pubkey], admission ?? PUBLIC_JOIN)
  return { ok: true, message: 'info: you are now a member of this relay' }
}

/** Write pipeline step 9 for 28936. */
export function handleLeaveRequest(relay: VirtualRelay, event: NostrEvent): Outcome {
  if (relay.isConfigured(event.pubkey)) return { ok: false, message: 'restricted: configured members cannot leave' }
  if (!relay.isMember(event.pubkey)) return { ok: true, message: 'duplicate: you are not a member of this relay' }
  relay.removeMember(event.pubkey)
  return { ok: true, message: 'info: you are no longer a member of this relay' }
}
