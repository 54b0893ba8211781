// engine.md §5.8: NIP-29 groups over real sockets with nostr-tools clients — relay-signed 39000–39003,
// moderation by relay admins only, join/leave, the posting and reading rules, the `groups` toggle.
import { describe, expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import type { Relay } from 'nostr-tools/relay'
import {
  authedRelay,
  createRelay,
  groupEvent,
  httpRequest,
  keys,
  memberRelay,
  pTagsOf,
  publish,
  query,
  sign,
  startTestEngine,
  suiteEngine,
  tempDir,
  type Keys,
  type RelaySetup,
  type TestEngine,
} from './helpers.js'

const te = suiteEngine()

const NOT_ADMIN = 'refused:restricted: only relay admins can moderate groups'
const NOT_GROUP_MEMBER = 'refused:restricted: you are not a member of this group'
const NOT_FOUND = 'refused:invalid: group not found'

interface Space {
  r: RelaySetup
  url: string
  owner: Relay
}

/** A relay with groups on and public join, plus the owner's connection. */
async function space(extra: Record<string, any> = {}): Promise<Space> {
  const r = await createRelay(te, { groups: { enabled: true }, policy: { public_join: true }, ...extra })
  const url = te.url(r.host)
  return { r, url, owner: await authedRelay(url, r.owner) }
}

/** Creates a group from the owner's connection; the 9007 must be accepted. */
async function createGroup(s: Space, id: string, tags: string[][] = []): Promise<NostrEvent> {
  const create = groupEvent(s.r.owner, 9007, id, tags)
  expect(await publish(s.owner, create)).toBe('ok:')
  return create
}

const state = async (relay: Relay, kind: number, id: string) => (await query(relay, [{ kinds: [kind], '#d': [id] }]))[0]
const ids = (events: NostrEvent[]) => events.map((e) => e.id).sort()

describe('group creation (9007) and the relay-signed state events', () => {
  it('emits 39000 from the 9007 tags (h→d), 39001 admins, 39002 members, 39003 roles, all signed by self', async () => {
    const mod = keys()
    const s = await space({ roles: { mods: { pubkeys: [mod.pk], can_manage: true }, hosts: { pubkeys: [keys().pk], can_invite: true } } })
    await createGroup(s, 'pizza', [['name', 'Pizza Lovers'], ['about', 'cheese'], ['private'], ['closed'], ['livekit']])
    const meta = await state(s.owner, 39000, 'pizza')
    expect(meta!.pubkey).toBe(s.r.self.pk)
    expect(meta!.tags).toEqual([['d', 'pizza'], ['name', 'Pizza Lovers'], ['about', 'cheese'], ['private'], ['closed'], ['livekit']])
    const admins = await state(s.owner, 39001, 'pizza')
    expect(admins!.pubkey).toBe(s.r.self.pk)
    expect(admins!.tags.slice(1)).toEqual([s.r.self.pk, s.r.owner.pk, mod.pk].sort().map((pk) => ['p', pk, 'admin']))
    const members = await state(s.owner, 39002, 'pizza')
    expect(members!.pubkey).toBe(s.r.self.pk)
    expect(pTagsOf(members)).toEqual([s.r.owner.pk])
    const roles = await state(s.owner, 39003, 'pizza')
    expect(roles!.pubkey).toBe(s.r.self.pk)
    expect(roles!.tags.filter((t) => t[0] === 'role').map((t) => t[1])).toEqual(['admin'])
    // the 9007 itself is stored
    expect((await query(s.owner, [{ kinds: [9007], '#h': ['pizza'] }])).length).toBe(1)
    // an existing group cannot be created again, by anyone
    const modRelay = await authedRelay(s.url, mod)
    expect(await publish(modRelay, groupEvent(mod, 9007, 'pizza'))).toBe('refused:duplicate: group already exists')
    modRelay.close()
    s.owner.close()
  })

  it('clients cannot publish 39000–39003, not even the owner', async () => {
    const s = await space()
    await createGroup(s, 'g')
    for (const kind of [39000, 39001, 39002, 39003]) {
      const fake = sign(s.r.owner, { kind, tags: [['d', 'g'], ['name', 'forged']] })
      expect(await publish(s.owner, fake)).toBe("refused:invalid: this event's kind is not accepted")
    }
    expect((await state(s.owner, 39000, 'g'))!.pubkey).toBe(s.r.self.pk)
    s.owner.close()
  })

  it('39001 follows the relay admins when the config changes', async () => {
    const s = await space()
    await createGroup(s, 'g')
    const mod = keys()
    expect((await te.api('PATCH', `/relay/${s.r.id}`, { roles: { mods: { pubkeys: [mod.pk], can_manage: true } } })).status).toBe(200)
    expect(pTagsOf(await state(s.owner, 39001, 'g')).sort()).toEqual([s.r.self.pk, s.r.owner.pk, mod.pk].sort())
    expect((await te.api('PATCH', `/relay/${s.r.id}`, { roles: { mods: { can_manage: false } } })).status).toBe(200)
    expect(pTagsOf(await state(s.owner, 39001, 'g')).sort()).toEqual([s.r.self.pk, s.r.owner.pk].sort())
    s.owner.close()
  })
})

describe('moderation is for relay managers only', () => {
  it('a plain member and a can_invite role are refused every moderation kind; a can_manage role is accepted', async () => {
    const inviter = keys()
    const mod = keys()
    const s = await space({ roles: { hosts: { pubkeys: [inviter.pk], can_invite: true }, mods: { pubkeys: [mod.pk], can_manage: true } } })
    await createGroup(s, 'g')
    const member = keys()
    const note = groupEvent(s.r.owner, 9, 'g', [], 'hello')
    expect(await publish(s.owner, note)).toBe('ok:')
    const attempts = (k: Keys) => [
      groupEvent(k, 9007, 'new-one'),
      groupEvent(k, 9000, 'g', [['p', keys().pk]]),
      groupEvent(k, 9001, 'g', [['p', s.r.owner.pk]]),
      groupEvent(k, 9002, 'g', [['name', 'taken over']]),
      groupEvent(k, 9005, 'g', [['e', note.id]]),
      groupEvent(k, 9008, 'g'),
      groupEvent(k, 9009, 'g', [['code', 'LETMEIN']]),
    ]
    for (const k of [member, inviter]) {
      const relay = await memberRelay(s.url, k)
      for (const event of attempts(k)) expect(await publish(relay, event)).toBe(NOT_ADMIN)
      relay.close()
    }
    // nothing changed
    expect((await state(s.owner, 39000, 'g'))!.tags).toEqual([['d', 'g']])
    expect((await query(s.owner, [{ ids: [note.id] }])).length).toBe(1)
    expect(await query(s.owner, [{ kinds: [39000], '#d': ['new-one'] }])).toEqual([])

    const modRelay = await authedRelay(s.url, mod)
    expect(await publish(modRelay, groupEvent(mod, 9002, 'g', [['name', 'Renamed']]))).toBe('ok:')
    expect(await publish(modRelay, groupEvent(mod, 9007, 'mods-room'))).toBe('ok:')
    modRelay.close()
    expect((await state(s.owner, 39000, 'g'))!.tags).toEqual([['d', 'g'], ['name', 'Renamed']])
    expect((await state(s.owner, 39000, 'mods-room'))!.pubkey).toBe(s.r.self.pk)
    s.owner.close()
  })

  it('9000 put-user and 9001 remove-user re-emit 39002; 9002 replaces the metadata and re-emits 39000', async () => {
    const s = await space()
    await createGroup(s, 'g', [['name', 'G'], ['closed']])
    const [a, b] = [keys(), keys()]
    const before = await state(s.owner, 39002, 'g')
    expect(await publish(s.owner, groupEvent(s.r.owner, 9000, 'g', [['p', a.pk], ['p', b.pk]]))).toBe('ok:')
    const afterPut = await state(s.owner, 39002, 'g')
    expect(pTagsOf(afterPut).sort()).toEqual([s.r.owner.pk, a.pk, b.pk].sort())
    expect(afterPut!.created_at).toBeGreaterThan(before!.created_at)
    expect(await publish(s.owner, groupEvent(s.r.owner, 9001, 'g', [['p', a.pk]]))).toBe('ok:')
    expect(pTagsOf(await state(s.owner, 39002, 'g')).sort()).toEqual([s.r.owner.pk, b.pk].sort())
    // only one version of each state event is kept
    expect((await query(s.owner, [{ kinds: [39002], '#d': ['g'] }])).length).toBe(1)

    expect(await publish(s.owner, groupEvent(s.r.owner, 9002, 'g', [['name', 'G2'], ['picture', 'https://x/p.png'], ['restricted']]))).toBe('ok:')
    expect((await state(s.owner, 39000, 'g'))!.tags).toEqual([['d', 'g'], ['name', 'G2'], ['picture', 'https://x/p.png'], ['restricted']])
    // moderation of a group that does not exist
    expect(await publish(s.owner, groupEvent(s.r.owner, 9000, 'nope', [['p', a.pk]]))).toBe(NOT_FOUND)
    s.owner.close()
  })

  it('9005 really deletes the event (and it cannot come back); other groups’ events are untouched', async () => {
    const s = await space()
    await createGroup(s, 'g')
    await createGroup(s, 'other')
    const user = keys()
    const relay = await memberRelay(s.url, user)
    const spam = groupEvent(user, 9, 'g', [], 'spam')
    const elsewhere = groupEvent(user, 9, 'other', [], 'fine')
    expect(await publish(relay, spam)).toBe('ok:')
    expect(await publish(relay, elsewhere)).toBe('ok:')
    expect(await publish(s.owner, groupEvent(s.r.owner, 9005, 'g', [['e', spam.id], ['e', elsewhere.id]]))).toBe('ok:')
    expect(await query(s.owner, [{ ids: [spam.id] }])).toEqual([])
    expect((await query(s.owner, [{ ids: [elsewhere.id] }])).length).toBe(1)
    expect(await publish(relay, spam)).toBe('refused:blocked: this event was deleted')
    expect((await query(relay, [{ kinds: [9005], '#h': ['g'] }])).length).toBe(1)
    relay.close()
    s.owner.close()
  })

  it('9008 removes the group’s events but itself; the group is gone, its id free again', async () => {
    const s = await space()
    await createGroup(s, 'doomed', [['name', 'Doomed']])
    await createGroup(s, 'kept')
    const user = keys()
    const relay = await memberRelay(s.url, user)
    expect(await publish(relay, groupEvent(user, 9021, 'doomed'))).toBe('ok:info: you are now a member of this group')
    expect(await publish(relay, groupEvent(user, 9, 'doomed', [], 'bye'))).toBe('ok:')
    const keptNote = groupEvent(user, 9, 'kept', [], 'stay')
    expect(await publish(relay, keptNote)).toBe('ok:')
    const del = groupEvent(s.r.owner, 9008, 'doomed')
    expect(await publish(s.owner, del)).toBe('ok:')

    expect(ids(await query(s.owner, [{ '#h': ['doomed'] }]))).toEqual([del.id])
    expect(await query(s.owner, [{ kinds: [39000, 39001, 39002, 39003], '#d': ['doomed'] }])).toEqual([])
    expect((await query(relay, [{ kinds: [9008] }])).map((e) => e.id)).toEqual([del.id])
    expect((await query(s.owner, [{ ids: [keptNote.id] }])).length).toBe(1)
    expect(await publish(relay, groupEvent(user, 9, 'doomed', [], 'anyone?'))).toBe(NOT_FOUND)
    expect(await publish(s.owner, groupEvent(s.r.owner, 9008, 'doomed', [], 'again'))).toBe(NOT_FOUND)
    await createGroup(s, 'doomed')
    relay.close()
    s.owner.close()
  })
})

describe('join (9021) and leave (9022)', () => {
  it('an open group auto-approves: the relay emits 9000 and a new 39002; leave emits 9001 and a new 39002', async () => {
    const s = await space()
    await createGroup(s, 'open')
    const user = keys()
    const relay = await memberRelay(s.url, user)
    expect(await publish(relay, groupEvent(user, 9021, 'open'))).toBe('ok:info: you are now a member of this group')
    expect(await publish(relay, groupEvent(user, 9021, 'open'))).toBe('refused:duplicate: you are already a member of this group')
    const puts = await query(relay, [{ kinds: [9000], '#h': ['open'], '#p': [user.pk] }])
    expect(puts.map((e) => e.pubkey)).toEqual([s.r.self.pk])
    expect(pTagsOf(await state(relay, 39002, 'open'))).toContain(user.pk)

    expect(await publish(relay, groupEvent(user, 9022, 'open'))).toBe('ok:info: you are no longer a member of this group')
    expect(await publish(relay, groupEvent(user, 9022, 'open'))).toBe('refused:duplicate: you are not a member of this group')
    const removes = await query(relay, [{ kinds: [9001], '#h': ['open'], '#p': [user.pk] }])
    expect(removes.map((e) => e.pubkey)).toEqual([s.r.self.pk])
    expect(pTagsOf(await state(relay, 39002, 'open'))).not.toContain(user.pk)
    expect(await publish(relay, groupEvent(user, 9021, 'missing'))).toBe(NOT_FOUND)
    relay.close()
    s.owner.close()
  })

  it('a closed group needs a 9009 code; without one the request waits for an admin, who can put the user', async () => {
    const s = await space()
    await createGroup(s, 'club', [['closed']])
    const invite = groupEvent(s.r.owner, 9009, 'club', [['code', 'SESAME']])
    expect(await publish(s.owner, invite)).toBe('ok:')
    const [guest, waiter] = [keys(), keys()]

    const guestRelay = await memberRelay(s.url, guest)
    expect(await publish(guestRelay, groupEvent(guest, 9, 'club', [], 'hi?'))).toBe(NOT_GROUP_MEMBER)
    expect(await publish(guestRelay, groupEvent(guest, 9021, 'club', [['code', 'WRONG']]))).toBe('ok:info: your join request is waiting for an admin')
    expect(pTagsOf(await state(s.owner, 39002, 'club'))).not.toContain(guest.pk)
    expect(await publish(guestRelay, groupEvent(guest, 9021, 'club', [['code', 'SESAME']]))).toBe('ok:info: you are now a member of this group')
    expect(await publish(guestRelay, groupEvent(guest, 9, 'club', [], 'in'))).toBe('ok:')
    // the code is only for admins to read (and its author)
    expect(await query(guestRelay, [{ kinds: [9009], '#h': ['club'] }])).toEqual([])
    expect(ids(await query(s.owner, [{ kinds: [9009], '#h': ['club'] }]))).toEqual([invite.id])
    guestRelay.close()

    const waiterRelay = await memberRelay(s.url, waiter)
    const request = groupEvent(waiter, 9021, 'club')
    expect(await publish(waiterRelay, request)).toBe('ok:info: your join request is waiting for an admin')
    expect(await publish(waiterRelay, groupEvent(waiter, 9, 'club', [], 'let me in'))).toBe(NOT_GROUP_MEMBER)
    // the admin sees the pending request and answers it
    const pending = await query(s.owner, [{ kinds: [9021], '#h': ['club'] }])
    expect(pending.map((e) => e.id)).toContain(request.id)
    expect(await publish(s.owner, groupEvent(s.r.owner, 9000, 'club', [['p', waiter.pk]]))).toBe('ok:')
    expect(await publish(waiterRelay, groupEvent(waiter, 9, 'club', [], 'thanks'))).toBe('ok:')
    waiterRelay.close()
    s.owner.close()
  })
})

describe('posting with h', () => {
  it('unknown group → invalid: group not found; restricted takes members and admins only; open takes any member', async () => {
    const s = await space()
    await createGroup(s, 'open')
    await createGroup(s, 'announce', [['restricted']])
    const user = keys()
    const relay = await memberRelay(s.url, user)
    expect(await publish(relay, groupEvent(user, 9, 'nowhere', [], 'x'))).toBe(NOT_FOUND)
    expect(await publish(relay, groupEvent(user, 11, 'open', [['title', 't']], 'thread'))).toBe('ok:')
    expect(await publish(relay, groupEvent(user, 9, 'announce', [], 'x'))).toBe(NOT_GROUP_MEMBER)
    expect(await publish(s.owner, groupEvent(s.r.owner, 9, 'announce', [], 'news'))).toBe('ok:')
    expect(await publish(s.owner, groupEvent(s.r.owner, 9000, 'announce', [['p', user.pk]]))).toBe('ok:')
    expect(await publish(relay, groupEvent(user, 9, 'announce', [], 'me too'))).toBe('ok:')
    // events without h are not group events
    expect(await publish(relay, sign(user, { kind: 1, content: 'plain' }))).toBe('ok:')
    relay.close()
    s.owner.close()
  })

  it('relay membership stays the outer gate: a non-member of the relay can neither post nor read, even in an open group', async () => {
    const r = await createRelay(te, { groups: { enabled: true } })
    const owner = await authedRelay(te.url(r.host), r.owner)
    expect(await publish(owner, groupEvent(r.owner, 9007, 'open'))).toBe('ok:')
    owner.close()
    const stranger = keys()
    const relay = await authedRelay(te.url(r.host), stranger)
    expect(await publish(relay, groupEvent(stranger, 9021, 'open'))).toBe('refused:restricted: you are not a member of this relay')
    expect(await publish(relay, groupEvent(stranger, 9, 'open', [], 'x'))).toBe('refused:restricted: you are not a member of this relay')
    await expect(query(relay, [{ kinds: [39000] }])).rejects.toThrow('restricted: you are not a member of this relay')
    relay.close()
  })
})

describe('reading', () => {
  it('a hidden group is invisible to outsiders (stored and live); members and admins see it all', async () => {
    const s = await space()
    await createGroup(s, 'shadow', [['name', 'Shadow'], ['hidden']])
    await createGroup(s, 'public')
    const [insider, outsider] = [keys(), keys()]
    expect(await publish(s.owner, groupEvent(s.r.owner, 9000, 'shadow', [['p', insider.pk]]))).toBe('ok:')
    const insiderRelay = await memberRelay(s.url, insider)
    const outsiderRelay = await memberRelay(s.url, outsider)
    const secret = groupEvent(insider, 9, 'shadow', [], 'psst')
    expect(await publish(insiderRelay, secret)).toBe('ok:')

    const everything = [{ '#h': ['shadow'] }, { '#d': ['shadow'] }, { kinds: [9, 9000, 9007, 39000, 39001, 39002, 39003] }]
    const outsiderSees = await query(outsiderRelay, everything)
    expect(outsiderSees.filter((e) => e.tags.some((t) => t[1] === 'shadow'))).toEqual([])
    expect(outsiderSees.some((e) => e.kind === 39000 && e.tags[0]![1] === 'public')).toBe(true)
    for (const relay of [insiderRelay, s.owner]) {
      const seen = await query(relay, everything)
      expect(seen.map((e) => e.id)).toContain(secret.id)
      expect(seen.filter((e) => e.kind === 39000 && e.tags[0]![1] === 'shadow').length).toBe(1)
    }
    // posting into it as an outsider: the group does not exist for them
    expect(await publish(outsiderRelay, groupEvent(outsider, 9, 'shadow', [], 'knock'))).toBe(NOT_FOUND)

    // live: the outsider's subscription gets the public post that follows but never the hidden one
    const live: string[] = []
    const publicPost = groupEvent(insider, 9, 'public', [], 'hello all')
    const hiddenPost = groupEvent(insider, 9, 'shadow', [], 'secret 2')
    const done = new Promise<void>((resolve) => {
      outsiderRelay.subscribe([{ kinds: [9], since: Math.floor(Date.now() / 1000) - 5 }], {
        onevent: (e) => {
          live.push(e.id)
          if (e.id === publicPost.id) resolve()
        },
        oneose: () => {
          void publish(insiderRelay, hiddenPost).then(() => publish(insiderRelay, publicPost))
        },
      })
    })
    await done
    expect(live).toContain(publicPost.id)
    expect(live).not.toContain(hiddenPost.id)
    expect(live).not.toContain(secret.id)
    insiderRelay.close()
    outsiderRelay.close()
    s.owner.close()
  })

  it('a private group shows outsiders only its 39000 (and its 9008); members see everything', async () => {
    const s = await space()
    await createGroup(s, 'inner', [['name', 'Inner'], ['private']])
    const [insider, outsider] = [keys(), keys()]
    const insiderRelay = await memberRelay(s.url, insider)
    expect(await publish(insiderRelay, groupEvent(insider, 9021, 'inner'))).toBe('ok:info: you are now a member of this group')
    const msg = groupEvent(insider, 9, 'inner', [], 'members only')
    expect(await publish(insiderRelay, msg)).toBe('ok:')
    const outsiderRelay = await memberRelay(s.url, outsider)
    const filters = [{ '#h': ['inner'] }, { '#d': ['inner'] }]
    expect((await query(outsiderRelay, filters)).map((e) => e.kind)).toEqual([39000])
    const insiderKinds = (await query(insiderRelay, filters)).map((e) => e.kind).sort((a, b) => a - b)
    expect(insiderKinds).toEqual([9, 9000, 9007, 9021, 39000, 39001, 39002, 39003])
    expect((await query(s.owner, filters)).map((e) => e.id)).toContain(msg.id)

    // live: a new post is not delivered to the outsider, the 39000 that follows it is
    const live: number[] = []
    const renamed = new Promise<void>((resolve) => {
      outsiderRelay.subscribe([{ '#h': ['inner'] }, { '#d': ['inner'] }], {
        onevent: (e) => {
          live.push(e.kind)
          if (e.kind === 39000 && e.tags.some((t) => t[0] === 'name' && t[1] === 'Inner 2')) resolve()
        },
        oneose: () => {
          void publish(insiderRelay, groupEvent(insider, 9, 'inner', [], 'still private')).then(() =>
            publish(s.owner, groupEvent(s.r.owner, 9002, 'inner', [['name', 'Inner 2'], ['private']])),
          )
        },
      })
    })
    await renamed
    expect(live).toEqual([39000, 39000])

    const del = groupEvent(s.r.owner, 9008, 'inner')
    expect(await publish(s.owner, del)).toBe('ok:')
    expect((await query(outsiderRelay, filters)).map((e) => e.id)).toEqual([del.id])
    insiderRelay.close()
    outsiderRelay.close()
    s.owner.close()
  })
})

const nips = async (host: string) =>
  (await httpRequest(te.port, { host, headers: { accept: 'application/nostr+json' } })).json().supported_nips as number[]

describe('the groups toggle', () => {
  it('off: 9000–9022 refused, 29 not listed; turning it off hides the groups without deleting them; on brings them back', async () => {
    const r = await createRelay(te, { policy: { public_join: true } })
    const url = te.url(r.host)
    expect(await nips(r.host)).toEqual([1, 9, 11, 40, 42, 43, 70])
    const owner = await authedRelay(url, r.owner)
    for (const kind of [9000, 9001, 9002, 9005, 9007, 9008, 9009, 9021, 9022]) {
      expect(await publish(owner, groupEvent(r.owner, kind, 'g', [['p', r.owner.pk]]))).toBe('refused:invalid: groups are not enabled on this relay')
    }

    expect((await te.api('PATCH', `/relay/${r.id}`, { groups: { enabled: true } })).status).toBe(200)
    expect(await nips(r.host)).toEqual([1, 9, 11, 29, 40, 42, 43, 70])
    expect(await publish(owner, groupEvent(r.owner, 9007, 'g', [['name', 'G']]))).toBe('ok:')
    const user = keys()
    const relay = await memberRelay(url, user)
    const post = groupEvent(user, 9, 'g', [], 'kept')
    expect(await publish(relay, post)).toBe('ok:')
    const filters = [{ '#h': ['g'] }, { '#d': ['g'] }]
    const before = ids(await query(owner, filters))
    expect(before.length).toBe(6) // 9007, 9, 39000–39003

    expect((await te.api('PATCH', `/relay/${r.id}`, { groups: { enabled: false } })).status).toBe(200)
    expect(await nips(r.host)).toEqual([1, 9, 11, 40, 42, 43, 70])
    expect(await query(owner, filters)).toEqual([])
    expect(await query(relay, filters)).toEqual([])
    expect(await publish(relay, groupEvent(user, 9, 'g', [], 'while off'))).toBe('refused:invalid: groups are not enabled on this relay')
    expect(await publish(relay, groupEvent(user, 9021, 'g'))).toBe('refused:invalid: groups are not enabled on this relay')
    // plain events are unaffected
    expect(await publish(relay, sign(user, { kind: 1, content: 'plain' }))).toBe('ok:')

    expect((await te.api('PATCH', `/relay/${r.id}`, { groups: { enabled: true } })).status).toBe(200)
    expect(ids(await query(owner, filters))).toEqual(before)
    expect((await query(relay, [{ ids: [post.id] }])).length).toBe(1)
    relay.close()
    owner.close()
  })
})

describe('persistence', () => {
  /** The state the checks below rely on: a private closed group with a member and an invite code. */
  async function seed(local: TestEngine) {
    const r = await createRelay(local, { groups: { enabled: true }, policy: { public_join: true } })
    const url = local.url(r.host)
    const owner = await authedRelay(url, r.owner)
    expect(await publish(owner, groupEvent(r.owner, 9007, 'vault', [['name', 'Vault'], ['private'], ['closed']]))).toBe('ok:')
    expect(await publish(owner, groupEvent(r.owner, 9009, 'vault', [['code', 'KEY-1']]))).toBe('ok:')
    owner.close()
    const member = keys()
    const relay = await memberRelay(url, member)
    expect(await publish(relay, groupEvent(member, 9021, 'vault', [['code', 'KEY-1']]))).toBe('ok:info: you are now a member of this group')
    const msg = groupEvent(member, 9, 'vault', [], 'stored')
    expect(await publish(relay, msg)).toBe('ok:')
    relay.close()
    return { r, member, msg }
  }

  /** Groups, members, codes and rules as they were: checked through fresh connections. */
  async function expectGroupsBack(local: TestEngine, r: RelaySetup, member: Keys, msg: NostrEvent) {
    const url = local.url(r.host)
    const doc = (await httpRequest(local.port, { host: r.host, headers: { accept: 'application/nostr+json' } })).json()
    expect(doc.supported_nips).toContain(29)
    const relay = await authedRelay(url, member)
    expect((await query(relay, [{ ids: [msg.id] }])).length).toBe(1)
    expect(pTagsOf((await query(relay, [{ kinds: [39002], '#d': ['vault'] }]))[0])).toContain(member.pk)
    expect(await publish(relay, groupEvent(member, 9, 'vault', [], 'after'))).toBe('ok:')
    relay.close()
    const [outsider, invited] = [keys(), keys()]
    const outsiderRelay = await memberRelay(url, outsider)
    expect((await query(outsiderRelay, [{ '#h': ['vault'] }, { '#d': ['vault'] }])).map((e) => e.kind)).toEqual([39000])
    expect(await publish(outsiderRelay, groupEvent(outsider, 9, 'vault', [], 'x'))).toBe(NOT_GROUP_MEMBER)
    expect(await publish(outsiderRelay, groupEvent(outsider, 9021, 'vault'))).toBe('ok:info: your join request is waiting for an admin')
    outsiderRelay.close()
    const invitedRelay = await memberRelay(url, invited)
    expect(await publish(invitedRelay, groupEvent(invited, 9021, 'vault', [['code', 'KEY-1']]))).toBe('ok:info: you are now a member of this group')
    invitedRelay.close()
  }

  it('a restart keeps groups, members, invite codes and their rules', async () => {
    const local = await startTestEngine(tempDir())
    const { r, member, msg } = await seed(local)
    await local.restart()
    await expectGroupsBack(local, r, member, msg)
    await local.close()
  })

  it('export → purge → import carries the groups (relay-signed state events)', async () => {
    const { r, member, msg } = await seed(te)
    const lines: string[] = []
    te.handle.exportRelay(r.id, (l) => lines.push(l))
    const kinds = lines.map((l) => JSON.parse(l).kind as number)
    expect(kinds).toEqual(expect.arrayContaining([9007, 9009, 9021, 9000, 39000, 39001, 39002, 39003, 30078]))
    te.handle.purgeRelay(r.id)
    const owner = await authedRelay(te.url(r.host), r.owner)
    expect(await query(owner, [{ kinds: [39000] }])).toEqual([])
    expect(await publish(owner, groupEvent(r.owner, 9, 'vault', [], 'gone?'))).toBe(NOT_FOUND)
    owner.close()
    const summary = await te.handle.importRelay(r.id, lines, { reset: true })
    expect(summary.refused).toEqual([])
    await expectGroupsBack(te, r, member, msg)
  })
})
