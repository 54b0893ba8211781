// A scripted community on one relay (issue 8, Proof): the owner creates a relay with groups on through the
// management API, creates two groups (one private), invites a member, who joins and posts; a moderator (a role
// with can_manage) removes a post and a user. Then every client's view is read back and compared.
import { expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import type { Relay } from 'nostr-tools/relay'
import { authedRelay, groupEvent, keys, memberRelay, pTagsOf, publish, query, relaySetup, suiteEngine, type Keys } from './helpers.js'

const te = suiteEngine()

const nameOf = (e: NostrEvent) => e.tags.find((t) => t[0] === 'name')?.[1]

/** What one client sees of the space: group names, both member lists and both timelines. */
async function viewOf(relay: Relay) {
  const metadata = await query(relay, [{ kinds: [39000] }])
  const lobbyMembers = await query(relay, [{ kinds: [39002], '#d': ['lobby'] }])
  const councilMembers = await query(relay, [{ kinds: [39002], '#d': ['council'] }])
  return {
    groups: metadata.map(nameOf).sort(),
    lobbyMembers: lobbyMembers.map((e) => ({ id: e.id, by: e.pubkey, members: pTagsOf(e).sort() })),
    councilMembers: councilMembers.map((e) => pTagsOf(e).sort()),
    lobby: (await query(relay, [{ kinds: [9], '#h': ['lobby'] }])).map((e) => e.content).sort(),
    council: (await query(relay, [{ kinds: [9], '#h': ['council'] }])).map((e) => e.content).sort(),
  }
}

it('owner, moderator, member, removed user and a relay member outside the private group each see what they should', async () => {
  const mod = keys()
  const setup = relaySetup({ groups: { enabled: true }, roles: { mods: { pubkeys: [mod.pk], can_manage: true } } })
  const { owner: ownerKeys, self } = setup
  const created = await te.api('POST', `/relay/${setup.id}`, setup.config)
  expect(created.status).toBe(201)
  const url = te.url(setup.host)

  // the owner sets up two rooms, one of them private and closed, and invites people
  const owner = await authedRelay(url, ownerKeys)
  expect(await publish(owner, groupEvent(ownerKeys, 9007, 'lobby', [['name', 'Lobby']]))).toBe('ok:')
  expect(await publish(owner, groupEvent(ownerKeys, 9007, 'council', [['name', 'Council'], ['private'], ['closed']]))).toBe('ok:')
  expect(await publish(owner, groupEvent(ownerKeys, 9009, 'council', [['code', 'COUNCIL-1']]))).toBe('ok:')
  const invites = await query(owner, [{ kinds: [28935] }])
  const claim = invites[0]!.tags.find((t) => t[0] === 'claim')![1]!

  // the member joins the relay with the claim, both rooms (the private one with its code) and posts
  const [alice, bob, carol]: Keys[] = [keys(), keys(), keys()]
  const aliceRelay = await memberRelay(url, alice, claim)
  expect(await publish(aliceRelay, groupEvent(alice, 9021, 'lobby'))).toBe('ok:info: you are now a member of this group')
  expect(await publish(aliceRelay, groupEvent(alice, 9021, 'council', [['code', 'COUNCIL-1']]))).toBe('ok:info: you are now a member of this group')
  expect(await publish(aliceRelay, groupEvent(alice, 9, 'lobby', [], 'hello lobby'))).toBe('ok:')
  expect(await publish(aliceRelay, groupEvent(alice, 9, 'council', [], 'council minutes'))).toBe('ok:')

  // two more relay members: one who will misbehave, one who stays out of the private room
  const bobRelay = await memberRelay(url, bob, claim)
  expect(await publish(bobRelay, groupEvent(bob, 9021, 'lobby'))).toBe('ok:info: you are now a member of this group')
  const spam = groupEvent(bob, 9, 'lobby', [], 'buy my coin')
  expect(await publish(bobRelay, spam)).toBe('ok:')
  expect(await publish(bobRelay, groupEvent(bob, 9021, 'council'))).toBe('ok:info: your join request is waiting for an admin')
  expect(await publish(bobRelay, groupEvent(bob, 9, 'council', [], 'let me in'))).toBe('refused:restricted: you are not a member of this group')
  const carolRelay = await memberRelay(url, carol, claim)
  expect(await publish(carolRelay, groupEvent(carol, 9021, 'lobby'))).toBe('ok:info: you are now a member of this group')

  // the moderator removes the post and the user
  const modRelay = await authedRelay(url, mod)
  expect(await publish(modRelay, groupEvent(mod, 9005, 'lobby', [['e', spam.id]], 'spam'))).toBe('ok:')
  expect(await publish(modRelay, groupEvent(mod, 9001, 'lobby', [['p', bob.pk]], 'spammer'))).toBe('ok:')
  // a plain member cannot do the same
  expect(await publish(carolRelay, groupEvent(carol, 9001, 'lobby', [['p', alice.pk]]))).toBe('refused:restricted: only relay admins can moderate groups')

  const views = {
    owner: await viewOf(owner),
    mod: await viewOf(modRelay),
    alice: await viewOf(aliceRelay),
    bob: await viewOf(bobRelay),
    carol: await viewOf(carolRelay),
  }
  const lobbyMembers = [ownerKeys.pk, alice.pk, carol.pk].sort()
  const insiderView = {
    groups: ['Council', 'Lobby'],
    lobbyMembers: [{ id: views.owner.lobbyMembers[0]!.id, by: self.pk, members: lobbyMembers }],
    councilMembers: [[ownerKeys.pk, alice.pk].sort()],
    lobby: ['hello lobby'],
    council: ['council minutes'],
  }
  const outsiderView = { ...insiderView, councilMembers: [], council: [] }
  expect(views).toEqual({ owner: insiderView, mod: insiderView, alice: insiderView, bob: outsiderView, carol: outsiderView })

  // the moderation trail is there for everyone in the lobby: the 9005 and the 9001 by the moderator
  const trail = await query(carolRelay, [{ kinds: [9005, 9001], '#h': ['lobby'] }])
  expect(trail.map((e) => [e.kind, e.pubkey]).sort()).toEqual([[9001, mod.pk], [9005, mod.pk]])
  // the removed user's post cannot come back, and he is no longer in the room
  expect(await publish(bobRelay, spam)).toBe('refused:blocked: this event was deleted')

  for (const relay of [owner, modRelay, aliceRelay, bobRelay, carolRelay]) relay.close()
})
