// Members and moderation of a tenant's relay, through NIP-86 on the relay itself (the platform acts as the robot,
// an admin of every relay). Available while the relay's management toggle is on.
import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import type { RelayRow } from '../../db/schema.js'
import { parsePubkey } from '../../nostr/pubkey.js'
import { DomainError } from '../../platform/errors.js'
import { decodeCursor, DEFAULT_PAGE_SIZE, pageOf } from '../../platform/pagination.js'
import type { ProfileDirectory } from '../../robot/profiles.js'
import type { Platform } from '../../platform/platform.js'
import { relayMembers } from '../../sync/members.js'
import { relayHost } from '../../sync/relay-config.js'
import { ManagementError, type RelayManagementClient } from '../../sync/relay-management.js'
import type { ApiEnv } from '../env.js'
import { ok } from '../errors.js'
import { BannedEventSchema, BannedPubkeySchema, envelope, IdParam, page, PageQuery } from '../schemas.js'
import { defineRoute, jsonBody, jsonResponse } from './define.js'
import { people } from './people.js'

const PubkeyBody = z.strictObject({
  pubkey: z.string().max(200).openapi({ description: 'hex, npub or nprofile' }),
  reason: z.string().max(500).optional(),
})
const EventBody = z.strictObject({ id: z.string().max(64), reason: z.string().max(500).optional() })
const Done = envelope(z.object({ done: z.literal(true) }))

function pubkeyOf(raw: string): string {
  const parsed = parsePubkey(raw)
  if (!parsed.ok) throw new DomainError(400, 'invalid-pubkey', parsed.code === 'nsec-not-allowed' ? 'that is a secret key (nsec); give the npub' : 'not a hex or npub pubkey')
  return parsed.pubkey
}

/** The key a page cursor names (the last pubkey or event id of the previous page). */
const keyAfter = (cursor: string | undefined): string | undefined => (cursor === undefined ? undefined : decodeCursor<[string]>(cursor, ['string'])[0])

function eventIdOf(raw: string): string {
  if (!/^[0-9a-f]{64}$/.test(raw)) throw new DomainError(400, 'invalid-event-id', 'an event id is 64 lower-case hex characters')
  return raw
}

export function moderationRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>, options: { profiles?: ProfileDirectory } = {}) {
  const { profilesOf, person } = people(platform, options.profiles)

  /** Runs a NIP-86 call on the relay (at the engine serving it), with the refusals in the API's words. */
  async function manage<T>(relay: RelayRow, call: (management: RelayManagementClient, host: string) => Promise<T>): Promise<T> {
    if (relay.management_enabled !== 1) {
      throw new DomainError(409, 'management-disabled', 'turn on relay management (NIP-86) for this relay to manage members and bans')
    }
    if (relay.status !== 'active') throw new DomainError(409, 'relay-is-inactive', 'the relay is not active')
    if (!(await platform.queries.hasCompletedRelaySync(relay.id))) {
      throw new DomainError(409, 'relay-not-synced', 'the relay is not live yet; try again in a moment')
    }
    if (relay.move_target !== null) throw new DomainError(409, 'relay-moving', 'the relay is moving to another engine; try again in a moment')
    const { management } = platform.engineFor(relay)
    try {
      return await call(management, relayHost(relay.subdomain, platform.config.relayDomain))
    } catch (err) {
      if (!(err instanceof ManagementError)) throw err
      if (err.kind === 'disabled') throw new DomainError(409, 'management-disabled', 'relay management is not enabled on the relay yet; try again in a moment')
      if (err.kind === 'refused') {
        const configured = err.message.includes('configured member')
        throw new DomainError(422, configured ? 'configured-member' : 'management-refused', configured ? 'the owner, the relay and operator admins cannot be removed or banned' : err.message)
      }
      throw new DomainError(503, 'engine-unavailable', err.message)
    }
  }

  const relayRoute = <R extends Parameters<typeof defineRoute>[2]>(route: R) => defineRoute(platform, 'relay-owner-or-admin', route)
  const MemberParam = IdParam.extend({ pubkey: z.string().max(200) })
  const EventParam = IdParam.extend({ eventId: z.string().max(64) })

  app.openapi(
    relayRoute({
      method: 'post',
      path: '/relays/{id}/members',
      summary: 'Add a member',
      description: 'Refused with `member-limit-reached` when the plan allows no more members.',
      request: { params: IdParam, body: jsonBody(PubkeyBody) },
      responses: { 200: jsonResponse('Added', Done) },
    }),
    async (c) => {
      const relay = c.var.relay
      const { pubkey: raw, reason } = c.req.valid('json')
      const pubkey = pubkeyOf(raw)
      const { members, used, allowed } = await relayMembers(platform, relay)
      if (allowed !== null && used >= allowed && !members.includes(pubkey)) {
        const plan = platform.plans.get(relay.plan)!
        throw new DomainError(422, 'member-limit-reached', `the ${plan.name} plan allows ${allowed} members and this relay has ${used}; upgrade to add more`)
      }
      await manage(relay, (management, host) => management.allowPubkey(host, pubkey, reason))
      return c.json(ok({ done: true as const }), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'delete',
      path: '/relays/{id}/members/{pubkey}',
      summary: 'Remove a member',
      request: { params: MemberParam },
      responses: { 200: jsonResponse('Removed', Done) },
    }),
    async (c) => {
      const pubkey = pubkeyOf(c.req.valid('param').pubkey)
      await manage(c.var.relay, (management, host) => management.unallowPubkey(host, pubkey))
      return c.json(ok({ done: true as const }), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'get',
      path: '/relays/{id}/bans',
      summary: 'Banned pubkeys',
      description: 'In pubkey order, a page at a time, with names and pictures where known.',
      request: { params: IdParam, query: PageQuery },
      responses: { 200: jsonResponse('A page of banned pubkeys', envelope(page(BannedPubkeySchema))) },
    }),
    async (c) => {
      const relay = c.var.relay
      const { limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query')
      const rows = await manage(relay, (management, host) => management.listBannedPubkeys(host, { limit: limit + 1, after: keyAfter(cursor) }))
      const profiles = await profilesOf(relay, rows.slice(0, limit).map((r) => r.pubkey))
      return c.json(ok(pageOf(rows, limit, (r) => ({ ...person(r.pubkey, profiles), reason: r.reason }), (r) => [r.pubkey])), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'get',
      path: '/relays/{id}/banned-events',
      summary: 'Banned events',
      description: 'In id order, a page at a time.',
      request: { params: IdParam, query: PageQuery },
      responses: { 200: jsonResponse('A page of banned events', envelope(page(BannedEventSchema))) },
    }),
    async (c) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query')
      const rows = await manage(c.var.relay, (management, host) => management.listBannedEvents(host, { limit: limit + 1, after: keyAfter(cursor) }))
      return c.json(ok(pageOf(rows, limit, (r) => r, (r) => [r.id])), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'post',
      path: '/relays/{id}/bans',
      summary: 'Ban a pubkey',
      description: 'Removes the member and deletes their events on the relay.',
      request: { params: IdParam, body: jsonBody(PubkeyBody) },
      responses: { 200: jsonResponse('Banned', Done) },
    }),
    async (c) => {
      const { pubkey: raw, reason } = c.req.valid('json')
      const pubkey = pubkeyOf(raw)
      await manage(c.var.relay, (management, host) => management.banPubkey(host, pubkey, reason))
      return c.json(ok({ done: true as const }), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'delete',
      path: '/relays/{id}/bans/{pubkey}',
      summary: 'Lift a pubkey ban',
      request: { params: MemberParam },
      responses: { 200: jsonResponse('Lifted', Done) },
    }),
    async (c) => {
      const pubkey = pubkeyOf(c.req.valid('param').pubkey)
      await manage(c.var.relay, (management, host) => management.unbanPubkey(host, pubkey))
      return c.json(ok({ done: true as const }), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'post',
      path: '/relays/{id}/banned-events',
      summary: 'Ban an event',
      description: 'Deletes the event and refuses it from then on.',
      request: { params: IdParam, body: jsonBody(EventBody) },
      responses: { 200: jsonResponse('Banned', Done) },
    }),
    async (c) => {
      const eventId = eventIdOf(c.req.valid('json').id)
      const reason = c.req.valid('json').reason
      await manage(c.var.relay, (management, host) => management.banEvent(host, eventId, reason))
      return c.json(ok({ done: true as const }), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'delete',
      path: '/relays/{id}/banned-events/{eventId}',
      summary: 'Lift an event ban',
      request: { params: EventParam },
      responses: { 200: jsonResponse('Lifted', Done) },
    }),
    async (c) => {
      const eventId = eventIdOf(c.req.valid('param').eventId)
      await manage(c.var.relay, (management, host) => management.allowEvent(host, eventId))
      return c.json(ok({ done: true as const }), 200)
    },
  )
}
