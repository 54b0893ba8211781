// Read visibility (engine.md §5.4), applied alike to stored results and live events.
import type { NostrEvent } from 'nostr-tools/pure'
import { APP_DATA_KIND, INTERNAL_D_PREFIX } from './bans.js'
import { firstTagValue } from './nip01.js'
import { canSeeGroupEvent, groupIdOf, groupTagInJson, isGroupRequestKind, isGroupStateKind, type GroupRegistry } from './nip29.js'
import { AUTH_KIND } from './nip42.js'
import { INVITE_KIND, JOIN_REQUEST_KIND, LEAVE_REQUEST_KIND } from './nip43.js'

export const GIFT_WRAP_KIND = 1059
/**
 * Encrypted traffic between two ends — NIP-47 wallet requests and responses, NIP-46 remote signing. When such a
 * kind is exempt, only its ends (and admins) read it; other exempt kinds (zap receipts, a tenant's own choices)
 * are read by every member like any event, and also by the non-member they come from or are addressed to.
 */
export const PRIVATE_TRAFFIC_KINDS: ReadonlySet<number> = new Set([23194, 23195, 24133])

/** Who is reading: the connection's authenticated pubkeys and what they amount to on this relay. */
export interface Viewer {
  authed: ReadonlySet<string>
  member: boolean
  admin: boolean
}

const NEVER_DELIVERED = new Set([AUTH_KIND, JOIN_REQUEST_KIND, LEAVE_REQUEST_KIND])

const addressedTo = (event: NostrEvent, authed: ReadonlySet<string>): boolean =>
  event.tags.some((t) => t[0] === 'p' && typeof t[1] === 'string' && authed.has(t[1]))

/** Whether the relay's own internal state event (30078 by self, `d` zooid/…) — delivered to nobody. */
export function isInternalState(event: NostrEvent, self: string): boolean {
  return event.kind === APP_DATA_KIND && event.pubkey === self && (firstTagValue(event, 'd') ?? '').startsWith(INTERNAL_D_PREFIX)
}

const NO_KINDS: ReadonlySet<number> = new Set()

/** `exempt`: the relay's policy.exempt_kinds (Caravel): see PRIVATE_TRAFFIC_KINDS. */
export function canSee(viewer: Viewer, event: NostrEvent, self: string, groups?: GroupRegistry, exempt = NO_KINDS): boolean {
  if (NEVER_DELIVERED.has(event.kind)) return false
  if (event.kind === INVITE_KIND) return addressedTo(event, viewer.authed)
  if (event.kind === GIFT_WRAP_KIND) return addressedTo(event, viewer.authed)
  if (isInternalState(event, self)) return false
  if (exempt.has(event.kind)) {
    const end = viewer.authed.has(event.pubkey) || addressedTo(event, viewer.authed)
    return end || viewer.admin || (viewer.member && !PRIVATE_TRAFFIC_KINDS.has(event.kind))
  }
  const inGroup = groups && canSeeGroupEvent(groups, viewer, event.kind, groupIdOf(event), () => event.pubkey)
  return inGroup ?? viewer.member
}

/** A stored row as the query returns it; the JSON is parsed only for kinds whose visibility reads tags. */
export interface StoredRow {
  id: string
  kind: number
  json: string
}

const TAG_DEPENDENT = new Set([INVITE_KIND, GIFT_WRAP_KIND, APP_DATA_KIND])

const isGroupKind = (kind: number): boolean => isGroupRequestKind(kind) || isGroupStateKind(kind)

export function canSeeStored(viewer: Viewer, row: StoredRow, self: string, groups?: GroupRegistry, exempt = NO_KINDS): boolean {
  if (NEVER_DELIVERED.has(row.kind)) return false
  if (TAG_DEPENDENT.has(row.kind) || exempt.has(row.kind) || (groups && isGroupKind(row.kind))) {
    return canSee(viewer, JSON.parse(row.json) as NostrEvent, self, groups, exempt)
  }
  // Group posts are the bulk of a groups relay: their `h` is read without parsing the event.
  const groupId = groups && groups.groups.size > 0 ? groupTagInJson(row.json) : undefined
  if (groupId !== undefined) {
    const inGroup = canSeeGroupEvent(groups!, viewer, row.kind, groupId, () => (JSON.parse(row.json) as NostrEvent).pubkey)
    if (inGroup !== undefined) return inGroup
  }
  return viewer.member
}
