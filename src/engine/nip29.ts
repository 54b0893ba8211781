// NIP-29 relay-based groups (engine.md §5.8): group state, the relay-signed 39000–39003 that describe it, the
// moderation kinds (relay admins only), join/leave requests, the posting rule and the read rule. State is
// kept as self-signed events (39000 metadata, 39001 admins, 39002 members, internal 30078 invites) so it
// survives restarts and travels in exports; the registry here is rebuilt from them by `load`.
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'
import { APP_DATA_KIND } from './bans.js'
import { firstTagValue } from './nip01.js'
import type { Outcome } from './outcome.js'
import type { VirtualRelay } from './relay.js'
import type { RelayStore } from './store.js'
import type { Viewer } from './visibility.js'

export const PUT_USER_KIND = 9000
export const REMOVE_USER_KIND = 9001
export const EDIT_METADATA_KIND = 9002
export const DELETE_EVENT_KIND = 9005
export const CREATE_GROUP_KIND = 9007
export const DELETE_GROUP_KIND = 9008
export const CREATE_INVITE_KIND = 9009
export const JOIN_GROUP_KIND = 9021
export const LEAVE_GROUP_KIND = 9022
export const GROUP_METADATA_KIND = 39000
export const GROUP_ADMINS_KIND = 39001
export const GROUP_MEMBERS_KIND = 39002
export const GROUP_ROLES_KIND = 39003
export const GROUP_INVITES_D = 'zooid/group_invites'

/** Kinds refused while groups are off: the moderation range 9000–9020 plus join and leave. */
export const isGroupRequestKind = (k: number): boolean => k >= 9000 && k <= 9022
export const isModerationKind = (k: number): boolean => k >= 9000 && k <= 9020
export const isGroupStateKind = (k: number): boolean => k >= GROUP_METADATA_KIND && k <= GROUP_ROLES_KIND
/** Kinds that exist only as part of a group (their group is `h`, or `d` for 39000–39003). */
const isGroupKind = (k: number): boolean => isGroupRequestKind(k) || isGroupStateKind(k)

export const GROUP_FLAGS = ['private', 'restricted', 'hidden', 'closed', 'livekit'] as const
export type GroupFlag = (typeof GROUP_FLAGS)[number]

export const GROUPS_DISABLED = 'invalid: groups are not enabled on this relay'
export const GROUP_NOT_FOUND = 'invalid: group not found'
export const NOT_A_GROUP_MEMBER = 'restricted: you are not a member of this group'
export const ONLY_ADMINS_MODERATE = 'restricted: only relay admins can moderate groups'

export interface Group {
  id: string
  /** The tags of the group's 39000 after its `d`: name, picture, about, flags and anything else given. */
  metadata: string[][]
  members: Set<string>
  /** The pubkeys of the stored 39001, to know when relay admins changed. */
  admins: string[]
}

export const hasFlag = (group: Group, flag: GroupFlag): boolean => group.metadata.some((t) => t[0] === flag)

/** The group id of an event: `d` on 39000–39003, else the first `h`. */
export const groupIdOf = (event: NostrEvent): string | undefined =>
  firstTagValue(event, isGroupStateKind(event.kind) ? 'd' : 'h')

/** 39000 metadata from a 9007/9002: every tag but `h` (which becomes `d`), `d` and `previous`. */
export const metadataFromTags = (tags: string[][]): string[][] =>
  tags.filter((t) => t[0] !== 'h' && t[0] !== 'd' && t[0] !== 'previous' && t[0] !== '-').map((t) => [...t])

const pTags = (event: NostrEvent): string[] =>
  event.tags.filter((t) => t[0] === 'p' && typeof t[1] === 'string' && /^[0-9a-f]{64}$/.test(t[1])).map((t) => t[1]!)

const sorted = (keys: Iterable<string>): string[] => [...keys].sort()

// ---- relay-signed templates ----

export const metadataTemplate = (group: Group, createdAt: number): EventTemplate => ({
  kind: GROUP_METADATA_KIND,
  created_at: createdAt,
  tags: [['d', group.id], ...group.metadata],
  content: '',
})

export const adminsTemplate = (groupId: string, admins: Iterable<string>, createdAt: number): EventTemplate => ({
  kind: GROUP_ADMINS_KIND,
  created_at: createdAt,
  tags: [['d', groupId], ...sorted(admins).map((pk) => ['p', pk, 'admin'])],
  content: '',
})

export const membersTemplate = (group: Group, createdAt: number): EventTemplate => ({
  kind: GROUP_MEMBERS_KIND,
  created_at: createdAt,
  tags: [['d', group.id], ...sorted(group.members).map((pk) => ['p', pk])],
  content: '',
})

export const rolesTemplate = (groupId: string, createdAt: number): EventTemplate => ({
  kind: GROUP_ROLES_KIND,
  created_at: createdAt,
  tags: [['d', groupId], ['role', 'admin', 'relay admin: owner, relay key or a role with can_manage']],
  content: '',
})

/** A relay-issued 9000/9001 answering a join or leave request. */
export const membershipTemplate = (kind: number, groupId: string, pubkey: string, createdAt: number): EventTemplate => ({
  kind,
  created_at: createdAt,
  tags: [['h', groupId], ['p', pubkey]],
  content: '',
})

/** Invite codes of all groups as one internal event, delivered to nobody: ["code", code, group id]. */
export function invitesTemplate(invites: Map<string, string>, createdAt: number): EventTemplate {
  const tags = [['d', GROUP_INVITES_D], ['-']]
  for (const [code, groupId] of [...invites].sort(([a], [b]) => (a < b ? -1 : 1))) tags.push(['code', code, groupId])
  return { kind: APP_DATA_KIND, created_at: createdAt, tags, content: '' }
}

// ---- in-memory state, rebuilt from the relay's own events ----

export class GroupRegistry {
  readonly groups = new Map<string, Group>()
  /** Invite code → group id. */
  readonly invites = new Map<string, string>()
  enabled = false

  load(store: RelayStore, self: string): void {
    this.groups.clear()
    this.invites.clear()
    for (const meta of store.listByAuthorKind(self, GROUP_METADATA_KIND)) {
      const id = firstTagValue(meta, 'd')
      if (id === undefined) continue
      this.groups.set(id, { id, metadata: metadataFromTags(meta.tags), members: new Set(), admins: [] })
    }
    for (const list of store.listByAuthorKind(self, GROUP_MEMBERS_KIND)) {
      const group = this.groups.get(firstTagValue(list, 'd') ?? '')
      if (group) for (const pk of pTags(list)) group.members.add(pk)
    }
    for (const list of store.listByAuthorKind(self, GROUP_ADMINS_KIND)) {
      const group = this.groups.get(firstTagValue(list, 'd') ?? '')
      if (group) group.admins = sorted(pTags(list))
    }
    const invites = store.getAddress(self, APP_DATA_KIND, GROUP_INVITES_D)
    for (const t of invites?.tags ?? []) {
      if (t[0] === 'code' && typeof t[1] === 'string' && typeof t[2] === 'string' && this.groups.has(t[2])) {
        this.invites.set(t[1], t[2])
      }
    }
  }

  get(id: string | undefined): Group | undefined {
    return id === undefined ? undefined : this.groups.get(id)
  }

  /** Whether any of `pubkeys` is in the group's member list. */
  static includesAny(group: Group, pubkeys: ReadonlySet<string>): boolean {
    for (const pk of pubkeys) if (group.members.has(pk)) return true
    return false
  }
}

// ---- state changes: the user's event, the change and the relay's new events commit together ----

const now = (): number => Math.floor(Date.now() / 1000)

const metadataUpdate = (relay: VirtualRelay, group: Group) => () =>
  metadataTemplate(group, relay.nextVersionTime(GROUP_METADATA_KIND, group.id))
const membersUpdate = (relay: VirtualRelay, group: Group) => () =>
  membersTemplate(group, relay.nextVersionTime(GROUP_MEMBERS_KIND, group.id))
const adminsUpdate = (relay: VirtualRelay, group: Group) => () => {
  group.admins = sorted(relay.adminPubkeys)
  return adminsTemplate(group.id, group.admins, relay.nextVersionTime(GROUP_ADMINS_KIND, group.id))
}
const invitesUpdate = (relay: VirtualRelay) => () =>
  invitesTemplate(relay.groups.invites, relay.nextVersionTime(APP_DATA_KIND, GROUP_INVITES_D))

/** 9007: the group exists from now on, its creator a member; 39000 from the 9007's tags, 39001–39003. */
function createGroup(relay: VirtualRelay, event: NostrEvent, groupId: string): boolean {
  const group: Group = { id: groupId, metadata: metadataFromTags(event.tags), members: new Set([event.pubkey]), admins: [] }
  relay.groups.groups.set(groupId, group)
  return relay.commit(event, [
    metadataUpdate(relay, group),
    adminsUpdate(relay, group),
    membersUpdate(relay, group),
    () => rolesTemplate(groupId, relay.nextVersionTime(GROUP_ROLES_KIND, groupId)),
  ])
}

/** 9002: the metadata becomes the 9002's tags (NIP-29: it carries all the fields). */
function editMetadata(relay: VirtualRelay, event: NostrEvent, group: Group): boolean {
  group.metadata = metadataFromTags(event.tags)
  return relay.commit(event, [metadataUpdate(relay, group)])
}

function changeMembers(relay: VirtualRelay, event: NostrEvent, group: Group, add: string[], remove: string[]): boolean {
  for (const pk of add) group.members.add(pk)
  for (const pk of remove) group.members.delete(pk)
  return relay.commit(event, [membersUpdate(relay, group)])
}

/** 9005: deletes the referenced events that belong to this group (never another group's). */
function deleteEvents(relay: VirtualRelay, event: NostrEvent, group: Group, ids: string[]): boolean {
  return relay.commit(event, [], () => {
    for (const id of ids) {
      const json = relay.store.getJson(id)
      if (json !== undefined && groupTagInJson(json) === group.id) relay.store.deleteEvent(id)
    }
  })
}

/** 9008: every event of the group goes, its state events and invites too; the 9008 itself stays. */
function deleteGroup(relay: VirtualRelay, event: NostrEvent, group: Group): boolean {
  relay.groups.groups.delete(group.id)
  let invitesChanged = false
  for (const [code, groupId] of relay.groups.invites) {
    if (groupId === group.id && relay.groups.invites.delete(code)) invitesChanged = true
  }
  return relay.commit(event, invitesChanged ? [invitesUpdate(relay)] : [], () => {
    relay.store.deleteTagged('h', group.id)
    for (let kind = GROUP_METADATA_KIND; kind <= GROUP_ROLES_KIND; kind++) relay.store.deleteAddress(relay.self, kind, group.id)
  })
}

/** 9009: records the code; a 9021 carrying it is approved even when the group is closed. */
function createInvite(relay: VirtualRelay, event: NostrEvent, group: Group, code: string): boolean {
  relay.groups.invites.set(code, group.id)
  return relay.commit(event, [invitesUpdate(relay)])
}

/** Stores a 9021/9022 and, when it changes membership, the relay's 9000/9001 and a new 39002. */
function answerRequest(relay: VirtualRelay, event: NostrEvent, group: Group, reply: number | undefined): void {
  if (reply === PUT_USER_KIND) group.members.add(event.pubkey)
  if (reply === REMOVE_USER_KIND) group.members.delete(event.pubkey)
  const updates = reply === undefined ? [] : [() => membershipTemplate(reply, group.id, event.pubkey, now()), membersUpdate(relay, group)]
  relay.commit(event, updates)
}

/** Re-emits 39001 wherever the relay admins (owner, self, can_manage roles) changed since it was signed. */
export function syncGroupAdmins(relay: VirtualRelay): void {
  const admins = sorted(relay.adminPubkeys)
  const stale = [...relay.groups.groups.values()].filter((g) => g.admins.join() !== admins.join())
  if (stale.length > 0) relay.commit(undefined, stale.map((g) => adminsUpdate(relay, g)))
}

// ---- write pipeline step 11 ----

const ok = (message = ''): Outcome => ({ ok: true, message })
const reject = (message: string): Outcome => ({ ok: false, message })
const stored = (wasStored: boolean): Outcome => (wasStored ? ok() : ok('duplicate: already have this event'))

/** 9000–9022 need groups on; so does anything posted into an existing group (its rules are off meanwhile). */
export function checkGroupsEnabled(relay: VirtualRelay, event: NostrEvent): Outcome | undefined {
  if (relay.groups.enabled) return undefined
  if (isGroupRequestKind(event.kind)) return reject(GROUPS_DISABLED)
  if (relay.groups.get(firstTagValue(event, 'h'))) return reject(GROUPS_DISABLED)
  return undefined
}

/** Moderation kinds 9000–9020: relay admins only; the supported ones change state and are stored. */
export function handleModeration(relay: VirtualRelay, event: NostrEvent): Outcome | undefined {
  if (!isModerationKind(event.kind)) return undefined
  if (!relay.isAdmin(event.pubkey)) return reject(ONLY_ADMINS_MODERATE)
  if (relay.store.getJson(event.id) !== undefined) return ok('duplicate: already have this event')
  const groupId = firstTagValue(event, 'h')
  if (groupId === undefined || groupId === '') return reject('invalid: group events need an h tag')
  const group = relay.groups.get(groupId)
  if (event.kind === CREATE_GROUP_KIND) {
    return group ? reject('duplicate: group already exists') : stored(createGroup(relay, event, groupId))
  }
  if (!group) return reject(GROUP_NOT_FOUND)
  switch (event.kind) {
    case PUT_USER_KIND:
    case REMOVE_USER_KIND: {
      const pubkeys = pTags(event)
      if (pubkeys.length === 0) return reject('invalid: a p tag with a pubkey is required')
      const put = event.kind === PUT_USER_KIND
      return stored(changeMembers(relay, event, group, put ? pubkeys : [], put ? [] : pubkeys))
    }
    case EDIT_METADATA_KIND:
      return stored(editMetadata(relay, event, group))
    case DELETE_EVENT_KIND: {
      const ids = event.tags.filter((t) => t[0] === 'e' && typeof t[1] === 'string').map((t) => t[1]!)
      if (ids.length === 0) return reject('invalid: an e tag with an event id is required')
      return stored(deleteEvents(relay, event, group, ids))
    }
    case DELETE_GROUP_KIND:
      return stored(deleteGroup(relay, event, group))
    case CREATE_INVITE_KIND: {
      const code = firstTagValue(event, 'code')
      if (!code) return reject('invalid: a code tag is required')
      const owner = relay.groups.invites.get(code)
      if (owner !== undefined && owner !== group.id) return reject('invalid: this invite code is already in use')
      return stored(createInvite(relay, event, group, code))
    }
    default:
      return reject('invalid: this moderation kind is not supported')
  }
}

/** 9021 join (auto-approved unless `closed`; closed needs a valid code or waits for an admin) and 9022 leave. */
export function handleJoinOrLeave(relay: VirtualRelay, event: NostrEvent): Outcome | undefined {
  if (event.kind !== JOIN_GROUP_KIND && event.kind !== LEAVE_GROUP_KIND) return undefined
  const group = relay.groups.get(firstTagValue(event, 'h'))
  if (!group) return reject(GROUP_NOT_FOUND)
  const isMember = group.members.has(event.pubkey)
  if (event.kind === LEAVE_GROUP_KIND) {
    if (!isMember) return reject('duplicate: you are not a member of this group')
    answerRequest(relay, event, group, REMOVE_USER_KIND)
    return ok('info: you are no longer a member of this group')
  }
  if (isMember) return reject('duplicate: you are already a member of this group')
  const code = firstTagValue(event, 'code')
  const invited = code !== undefined && relay.groups.invites.get(code) === group.id
  if (!hasFlag(group, 'closed') || invited || relay.isAdmin(event.pubkey)) {
    answerRequest(relay, event, group, PUT_USER_KIND)
    return ok('info: you are now a member of this group')
  }
  // Kept for the admins, who answer it with a 9000.
  answerRequest(relay, event, group, undefined)
  return ok('info: your join request is waiting for an admin')
}

/** Any other event with `h`: the group must exist; `closed`/`restricted` groups take members and admins only. */
export function checkGroupPost(relay: VirtualRelay, event: NostrEvent): Outcome | undefined {
  const groupId = firstTagValue(event, 'h')
  if (groupId === undefined) return undefined
  const group = relay.groups.get(groupId)
  if (!group) return reject(GROUP_NOT_FOUND)
  if (group.members.has(event.pubkey) || relay.isAdmin(event.pubkey)) return undefined
  // A hidden group does not exist for outsiders.
  if (hasFlag(group, 'hidden')) return reject(GROUP_NOT_FOUND)
  if (hasFlag(group, 'closed') || hasFlag(group, 'restricted')) return reject(NOT_A_GROUP_MEMBER)
  return undefined
}

// ---- read rule (§5.4 "group events") ----

const ONLY_ADMINS_AND_AUTHOR = new Set([CREATE_INVITE_KIND, JOIN_GROUP_KIND])

/**
 * Whether `viewer` may read an event of `kind` by `author` in group `groupId`; undefined when it is not a
 * group event (the relay's plain rules decide). An `h` naming no existing group is not a group event, except
 * for the group kinds themselves (e.g. the 9008 of a deleted group). Invite codes (9009, and 9021 that may
 * carry one) go to relay admins and their author only.
 */
export function canSeeGroupEvent(
  groups: GroupRegistry,
  viewer: Viewer,
  kind: number,
  groupId: string | undefined,
  author: () => string,
): boolean | undefined {
  const groupKind = isGroupKind(kind)
  const group = groups.get(groupId)
  if (!groupKind && !group) return undefined
  if (!groups.enabled || !viewer.member) return false
  if (viewer.admin) return true
  if (ONLY_ADMINS_AND_AUTHOR.has(kind)) return viewer.authed.has(author())
  if (!group || GroupRegistry.includesAny(group, viewer.authed)) return true
  if (hasFlag(group, 'hidden')) return false
  if (hasFlag(group, 'private')) return kind === GROUP_METADATA_KIND || kind === DELETE_GROUP_KIND
  return true
}

const H_TAG = '["h","'

/**
 * The first `h` value of an event serialised by JSON.stringify, without parsing it: a `"` inside a string is
 * always escaped, so `["h","` can only be the start of an `h` tag, and tags come before the content.
 */
export function groupTagInJson(json: string): string | undefined {
  const i = json.indexOf(H_TAG)
  if (i < 0) return undefined
  const start = i + H_TAG.length
  let escaped = false
  let j = start
  for (; j < json.length; j++) {
    const c = json.charCodeAt(j)
    if (c === 0x5c) {
      escaped = true
      j++
    } else if (c === 0x22) break
  }
  const raw = json.slice(start, j)
  return escaped ? (JSON.parse(`"${raw}"`) as string) : raw
}
