// Managed invite codes (a Caravel extension of NIP-43 claims): created, listed and revoked through the
// management API, optionally limited in uses and time. Each is a relay-signed internal event (kind 30078,
// `d` zooid/invite/<code>, delivered to nobody) replaced when revoked; its joins are in the join log.
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { APP_DATA_KIND } from './bans.js'
import { firstTagValue } from './nip01.js'
import type { JoinLog, JoinRecord } from './joins.js'

export const INVITE_D_PREFIX = 'zooid/invite/'
export const MAX_LABEL_LENGTH = 100

export interface ManagedInvite {
  code: string
  label: string
  created_at: number
  /** null = unlimited */
  max_uses: number | null
  /** Unix seconds; null = never */
  expires_at: number | null
  /** When it was revoked; null = not revoked */
  revoked_at: number | null
}

/** What the management API answers for an invite. */
export interface InviteView {
  code: string
  label: string
  created_at: number
  max_uses: number | null
  expires_at: number | null
  revoked: boolean
  uses: number
  joins: { pubkey: string; joined_at: number }[]
}

export class InviteRequestError extends Error {}

export interface InviteRequest {
  label: string
  max_uses: number | null
  expires_at: number | null
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Validates a `POST /relay/{id}/invites` body; throws InviteRequestError with the 400 message. */
export function decodeInviteRequest(input: unknown, now: number): InviteRequest {
  if (!isObj(input)) throw new InviteRequestError('invalid json: expected a JSON object')
  const { label = '', max_uses = null, expires_at = null } = input
  if (typeof label !== 'string') throw new InviteRequestError('invalid json: label must be a string')
  if ([...label].length > MAX_LABEL_LENGTH) throw new InviteRequestError(`label must be at most ${MAX_LABEL_LENGTH} characters`)
  if (max_uses !== null && (typeof max_uses !== 'number' || !Number.isSafeInteger(max_uses) || max_uses < 1)) {
    throw new InviteRequestError('max_uses must be a whole number of 1 or more, or null')
  }
  if (expires_at !== null && (typeof expires_at !== 'number' || !Number.isSafeInteger(expires_at))) {
    throw new InviteRequestError('expires_at must be a unix time in seconds, or null')
  }
  if (expires_at !== null && expires_at <= now) throw new InviteRequestError('expires_at must be in the future')
  return { label, max_uses, expires_at }
}

export function managedInviteTemplate(invite: ManagedInvite, createdAt: number): EventTemplate {
  const tags = [['d', INVITE_D_PREFIX + invite.code], ['-'], ['code', invite.code], ['created_at', String(invite.created_at)]]
  if (invite.label !== '') tags.push(['label', invite.label])
  if (invite.max_uses !== null) tags.push(['max_uses', String(invite.max_uses)])
  if (invite.expires_at !== null) tags.push(['expires_at', String(invite.expires_at)])
  if (invite.revoked_at !== null) tags.push(['revoked_at', String(invite.revoked_at)])
  return { kind: APP_DATA_KIND, created_at: createdAt, tags, content: '' }
}

const numberTag = (event: NostrEvent, name: string): number | null => {
  const v = firstTagValue(event, name)
  const n = v === undefined ? NaN : Number(v)
  return Number.isSafeInteger(n) ? n : null
}

/** The invite an event describes, if it is one (the caller checks it is the relay's own). */
export function readManagedInvite(event: NostrEvent): ManagedInvite | undefined {
  const d = firstTagValue(event, 'd') ?? ''
  if (event.kind !== APP_DATA_KIND || !d.startsWith(INVITE_D_PREFIX)) return undefined
  const code = firstTagValue(event, 'code')
  if (code === undefined || d !== INVITE_D_PREFIX + code) return undefined
  return {
    code,
    label: firstTagValue(event, 'label') ?? '',
    created_at: numberTag(event, 'created_at') ?? event.created_at,
    max_uses: numberTag(event, 'max_uses'),
    expires_at: numberTag(event, 'expires_at'),
    revoked_at: numberTag(event, 'revoked_at'),
  }
}

/** A claim naming this invite is valid while it is not revoked, not expired and has uses left. */
export function isUsable(invite: ManagedInvite, uses: number, now: number): boolean {
  if (invite.revoked_at !== null) return false
  if (invite.expires_at !== null && now >= invite.expires_at) return false
  return invite.max_uses === null || uses < invite.max_uses
}

export function inviteView(invite: ManagedInvite, joins: readonly JoinRecord[]): InviteView {
  return {
    code: invite.code,
    label: invite.label,
    created_at: invite.created_at,
    max_uses: invite.max_uses,
    expires_at: invite.expires_at,
    revoked: invite.revoked_at !== null,
    uses: joins.length,
    joins: joins.map((j) => ({ pubkey: j.pubkey, joined_at: j.joined_at })),
  }
}

/** Newest first (then by code, so equal times list in a stable order). */
const newestFirst = (a: ManagedInvite, b: ManagedInvite): number =>
  b.created_at - a.created_at || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)

/** `GET /relay/{id}/invites`: every invite, newest first, with its joins. */
export const listInviteViews = (invites: Iterable<ManagedInvite>, joins: JoinLog): InviteView[] =>
  [...invites].sort(newestFirst).map((invite) => inviteView(invite, joins.joinsWith(invite.code)))

/** The managed invites among the relay's own 30078 events, by code. */
export function readManagedInvites(events: Iterable<NostrEvent>): Map<string, ManagedInvite> {
  const out = new Map<string, ManagedInvite>()
  for (const event of events) {
    const invite = readManagedInvite(event)
    if (invite) out.set(invite.code, invite)
  }
  return out
}
