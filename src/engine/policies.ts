// The relay's access rules as named functions, khatru style: the write pipeline of engine.md §5.5 and the read
// gates of §5.3. Each step returns nothing to continue, an Outcome to answer, or 'accept' to skip to storing.
import type { NostrEvent } from 'nostr-tools/pure'
import { verifyFreshEvent } from '../nostr/verify.js'
import { APP_DATA_KIND, INTERNAL_D_PREFIX } from './bans.js'
import { checkEventLimits, firstTagValue, type Filter } from './nip01.js'
import { isExpired } from './nip40.js'
import {
  handleJoinRequest,
  handleLeaveRequest,
  INVITE_KIND,
  JOIN_REQUEST_KIND,
  LEAVE_REQUEST_KIND,
  MEMBER_ADDED_KIND,
  MEMBER_LIST_KIND,
  MEMBER_REMOVED_KIND,
} from './nip43.js'
import {
  checkGroupPost,
  checkGroupsEnabled,
  GROUP_ADMINS_KIND,
  GROUP_MEMBERS_KIND,
  GROUP_METADATA_KIND,
  GROUP_ROLES_KIND,
  handleJoinOrLeave,
  handleModeration,
} from './nip29.js'
import { isProtectedEvent } from './nip70.js'
import type { Outcome } from './outcome.js'
import type { VirtualRelay } from './relay.js'

export interface WriteContext {
  relay: VirtualRelay
  /** Pubkeys authenticated on the connection (empty for imports and unauthenticated clients). */
  authed: ReadonlySet<string>
  /** Freshly parsed from the wire; only step 1 may assume nothing about its shape. */
  event: NostrEvent
  now: number
}

export type StepResult = Outcome | 'accept' | undefined
export type WriteStep = (ctx: WriteContext) => StepResult

const reject = (message: string): Outcome => ({ ok: false, message })

export const AUTH_REQUIRED = 'auth-required: authentication required'
export const NOT_A_MEMBER = 'restricted: you are not a member of this relay'
const BANNED = 'blocked: you are banned from this relay'

// 1
export const rejectInvalidEvent: WriteStep = ({ event, now }) => {
  if (!verifyFreshEvent(event)) return reject('invalid: bad event id or signature')
  const problem = checkEventLimits(event, now)
  return problem ? reject(`invalid: ${problem}`) : undefined
}

// 2
export const rejectExpiredEvent: WriteStep = ({ event, now }) =>
  isExpired(event, now) ? reject('invalid: event has expired') : undefined

// 3
export const rejectBannedOrDeletedEvent: WriteStep = ({ relay, event }) => {
  if (relay.bannedEvents.has(event.id)) return reject('blocked: this event has been banned')
  if (relay.store.isDeleted(event)) return reject('blocked: this event was deleted')
  return undefined
}

const RELAY_OWNED_KINDS = new Set([
  MEMBER_LIST_KIND,
  MEMBER_ADDED_KIND,
  MEMBER_REMOVED_KIND,
  INVITE_KIND,
  GROUP_METADATA_KIND,
  GROUP_ADMINS_KIND,
  GROUP_MEMBERS_KIND,
  GROUP_ROLES_KIND,
])

// 4
export const rejectRelayOwnedKind: WriteStep = ({ event }) => {
  const internal = event.kind === APP_DATA_KIND && (firstTagValue(event, 'd') ?? '').startsWith(INTERNAL_D_PREFIX)
  return RELAY_OWNED_KINDS.has(event.kind) || internal ? reject("invalid: this event's kind is not accepted") : undefined
}

// 5 (Caravel: the kinds are policy.exempt_kinds): gift wraps and zap receipts are delivered to members by
// others (senders, zapper services); NWC and NIP-46 traffic runs between members and their services. An
// exempt kind addressed to a member (first `p`) or signed by one needs no auth; bans still apply.
export const acceptMemberDelivery: WriteStep = ({ relay, event }) => {
  if (!relay.exemptKinds.has(event.kind) || isProtectedEvent(event)) return undefined
  // Joining and leaving always go through step 9.
  if (event.kind === JOIN_REQUEST_KIND || event.kind === LEAVE_REQUEST_KIND) return undefined
  const recipient = firstTagValue(event, 'p')
  if (!relay.isMember(event.pubkey) && !(recipient !== undefined && relay.isMember(recipient))) return undefined
  return relay.bannedPubkeys.has(event.pubkey) ? reject(BANNED) : 'accept'
}

// 6
export const requireAuthentication: WriteStep = ({ authed }) => (authed.size === 0 ? reject(AUTH_REQUIRED) : undefined)

// 7 (also NIP-70: a protected event is only ever accepted from its authenticated author)
export const requireAuthorIsAuthenticated: WriteStep = ({ authed, event }) =>
  authed.has(event.pubkey) ? undefined : reject('restricted: you cannot publish events on behalf of others')

// 8
export const rejectBannedAuthor: WriteStep = ({ relay, event }) => (relay.bannedPubkeys.has(event.pubkey) ? reject(BANNED) : undefined)

// 9
export const handleMembershipRequest: WriteStep = ({ relay, event, now }) => {
  if (event.kind === JOIN_REQUEST_KIND) return handleJoinRequest(relay, event, now)
  if (event.kind === LEAVE_REQUEST_KIND) return handleLeaveRequest(relay, event)
  return undefined
}

// 10
export const requireMembership: WriteStep = ({ relay, event }) =>
  relay.isMember(event.pubkey) ? undefined : reject(NOT_A_MEMBER)

// 11 (NIP-29 groups, §5.8), in four parts: groups on; moderation by relay admins; join/leave; posting with `h`.
export const requireGroupsEnabled: WriteStep = ({ relay, event }) => checkGroupsEnabled(relay, event)

export const handleGroupModeration: WriteStep = ({ relay, event }) => handleModeration(relay, event)

export const handleGroupJoinOrLeave: WriteStep = ({ relay, event }) => handleJoinOrLeave(relay, event)

export const requireGroupWriteAccess: WriteStep = ({ relay, event }) => checkGroupPost(relay, event)

export const writePipeline: readonly WriteStep[] = [
  rejectInvalidEvent,
  rejectExpiredEvent,
  rejectBannedOrDeletedEvent,
  rejectRelayOwnedKind,
  acceptMemberDelivery,
  requireAuthentication,
  requireAuthorIsAuthenticated,
  rejectBannedAuthor,
  handleMembershipRequest,
  requireMembership,
  requireGroupsEnabled,
  handleGroupModeration,
  handleGroupJoinOrLeave,
  requireGroupWriteAccess,
]

/** Runs the pipeline; 'store' means every gate passed and step 12 (store and broadcast) follows. */
export function runWritePipeline(ctx: WriteContext): Outcome | 'store' {
  for (const step of writePipeline) {
    const result = step(ctx)
    if (result === 'accept') return 'store'
    if (result) return result
  }
  return 'store'
}

export interface ReadContext {
  relay: VirtualRelay
  authed: ReadonlySet<string>
  filters: readonly Filter[]
}

export type ReadGate = (ctx: ReadContext) => string | undefined

export const requireAuthenticationToRead: ReadGate = ({ authed }) => (authed.size === 0 ? AUTH_REQUIRED : undefined)

/**
 * Members read; so does a member's wallet service or remote signer (Caravel) when every filter asks only for
 * exempt kinds addressed to (`#p`) or written by (`authors`) its authenticated pubkeys. Visibility then gives
 * it only the events it wrote or is a `p` recipient of.
 */
export const requireMembershipToRead: ReadGate = ({ relay, authed, filters }) => {
  if ([...authed].some((pk) => relay.isMember(pk))) return undefined
  return filters.every((f) => asksOnlyForOwnExemptEvents(f, relay.exemptKinds, authed)) ? undefined : NOT_A_MEMBER
}

function asksOnlyForOwnExemptEvents(f: Filter, exempt: ReadonlySet<number>, authed: ReadonlySet<string>): boolean {
  if (f.kinds === undefined || f.kinds.length === 0 || !f.kinds.every((k) => exempt.has(k))) return false
  const own = (values: string[] | undefined) => values !== undefined && values.length > 0 && values.every((v) => authed.has(v))
  return own(f.tags?.get('p')) || own(f.authors)
}

export const readGates: readonly ReadGate[] = [requireAuthenticationToRead, requireMembershipToRead]

/** The CLOSED reason of the first failing read gate, if any. */
export function checkReadGates(ctx: ReadContext): string | undefined {
  for (const gate of readGates) {
    const reason = gate(ctx)
    if (reason) return reason
  }
  return undefined
}
