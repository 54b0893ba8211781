// A tenant's community on its relay: members with their names and pictures, invite codes and who joined with
// them, live stats, and the relay's events out (export) and in (import). All go through the engine's
// management API (Caravel extensions; an engine without them answers 501 `not-supported-by-engine`).
import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import { getPublicKey } from 'nostr-tools/pure'
import { hexToBytes } from 'nostr-tools/utils'
import type { RelayRow } from '../../db/schema.js'
import { DomainError } from '../../platform/errors.js'
import { nowSeconds } from '../../platform/ids.js'
import type { Platform } from '../../platform/platform.js'
import { relayUrlFor } from '../../platform/views.js'
import type { ProfileDirectory } from '../../robot/profiles.js'
import { EngineError, IMPORT_CHUNK_LIMIT, type EngineClient, type EngineInvite } from '../../sync/engine-client.js'
import type { ApiEnv } from '../env.js'
import { ok } from '../errors.js'
import { envelope, IdParam, ImportSummarySchema, InviteCreateSchema, InviteSchema, MembersSchema, StatsSchema } from '../schemas.js'
import { defineRoute, jsonBody, jsonResponse } from './define.js'
import { people } from './people.js'

export { IMPORT_CHUNK_LIMIT }
export const IMPORT_PATH = /^\/api\/relays\/[^/]+\/import$/

export interface CommunityOptions {
  /** Names and pictures; without it they are null. */
  profiles?: ProfileDirectory
}

export function communityRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>, options: CommunityOptions = {}) {
  const { config } = platform
  const urlFor = relayUrlFor(config.relayDomain, config.engine.port)
  const relayRoute = <R extends Parameters<typeof defineRoute>[2]>(route: R) => defineRoute(platform, 'relay-owner-or-admin', route)

  /** Runs a call on the engine serving the relay, once it has the relay, with the failures in the API's words. */
  async function onEngine<T>(relay: RelayRow, call: (engine: EngineClient) => Promise<T>, notFound?: string): Promise<T> {
    if (!(await platform.queries.hasCompletedRelaySync(relay.id))) {
      throw new DomainError(409, 'relay-not-synced', 'the relay is not live yet; try again in a moment')
    }
    // Mid-move a change would land on the copy being left behind.
    if (relay.move_target !== null) throw new DomainError(409, 'relay-moving', 'the relay is moving to another engine; try again in a moment')
    const engine = platform.engineFor(relay).client
    try {
      return await call(engine)
    } catch (err) {
      if (!(err instanceof EngineError)) throw err
      if (err.unsupported && notFound === undefined) throw new DomainError(501, 'not-supported-by-engine', "this relay's engine does not offer that")
      if (err.status === 404 && notFound !== undefined && err.message !== 'relay not found') throw new DomainError(404, 'not-found', notFound)
      if (err.status === 400) throw new DomainError(400, 'refused-by-engine', err.message)
      throw new DomainError(503, 'engine-unavailable', `the relay engine could not be reached: ${err.message}`)
    }
  }

  const { profilesOf, person } = people(platform, options.profiles)

  async function inviteViews(relay: RelayRow, invites: EngineInvite[]) {
    const profiles = await profilesOf(relay, invites.flatMap((i) => i.joins.map((j) => j.pubkey)))
    const relayUrl = urlFor(relay.subdomain)
    return invites.map((i) => ({
      code: i.code,
      label: i.label,
      link: `${config.appUrl}/join?r=${encodeURIComponent(relayUrl)}&c=${encodeURIComponent(i.code)}`,
      created_at: i.created_at,
      expires_at: i.expires_at,
      max_uses: i.max_uses,
      uses: i.uses,
      revoked: i.revoked,
      joins: i.joins.map((j) => ({ ...person(j.pubkey, profiles), joined_at: j.joined_at })),
    }))
  }

  /** Who is configured on the relay rather than a member by choice: they never count against the plan. */
  async function rolesOf(relay: RelayRow): Promise<Map<string, 'owner' | 'relay' | 'operator'>> {
    const roles = new Map<string, 'owner' | 'relay' | 'operator'>()
    for (const admin of [...(await platform.listAdmins()), platform.robot.pubkey]) roles.set(admin, 'operator')
    roles.set(getPublicKey(hexToBytes(platform.box.open(relay.secret))), 'relay')
    roles.set(relay.tenant, 'owner')
    return roles
  }

  app.openapi(
    relayRoute({
      method: 'get',
      path: '/relays/{id}/members',
      summary: "A relay's members",
      description:
        'Every member with name, picture and NIP-05 from their Nostr profile (null until found), how they joined, and how many count against the plan. Empty until the relay was first synced.',
      request: { params: IdParam },
      responses: { 200: jsonResponse('Members', envelope(MembersSchema)) },
    }),
    async (c) => {
      const relay = c.var.relay
      const allowed = platform.plans.get(relay.plan)?.members ?? null
      if (!(await platform.queries.hasCompletedRelaySync(relay.id))) return c.json(ok({ members: [], used: 0, allowed }), 200)
      const listed = await onEngine(relay, async (engine) => {
        try {
          return await engine.listMembersDetailed(relay.id)
        } catch (err) {
          // zooid's plain list, without how people joined.
          if (err instanceof EngineError && err.unsupported) return (await engine.listMembers(relay.id)).map((pubkey) => ({ pubkey, joined_at: null, via: null, code: null }))
          throw err
        }
      })
      const roles = await rolesOf(relay)
      const profiles = await profilesOf(relay, listed.map((m) => m.pubkey))
      const order = { owner: 0, relay: 1, operator: 2, member: 3 }
      const members = listed
        .map((m) => {
          const role: keyof typeof order = roles.get(m.pubkey) ?? 'member'
          return { ...person(m.pubkey, profiles), nip05: profiles.get(m.pubkey)?.nip05 ?? null, role, counts: role === 'member', joined_at: m.joined_at, via: m.via, code: m.code }
        })
        .sort((a, b) => order[a.role] - order[b.role] || (b.joined_at ?? 0) - (a.joined_at ?? 0) || (a.pubkey < b.pubkey ? -1 : 1))
      return c.json(ok({ members, used: members.filter((m) => m.counts).length, allowed }), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'get',
      path: '/relays/{id}/invites',
      summary: 'Invite codes',
      description: 'Newest first, with how often each was used and who joined with it.',
      request: { params: IdParam },
      responses: { 200: jsonResponse('Invites', envelope(z.object({ items: z.array(InviteSchema) }))) },
    }),
    async (c) => {
      const relay = c.var.relay
      const invites = await onEngine(relay, (engine) => engine.listInvites(relay.id))
      return c.json(ok({ items: await inviteViews(relay, invites) }), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'post',
      path: '/relays/{id}/invites',
      summary: 'Create an invite code',
      description: 'Anyone with the code (or its link) may join the relay while it is not revoked, expired or used up, and the plan has room.',
      request: { params: IdParam, body: jsonBody(InviteCreateSchema) },
      responses: { 201: jsonResponse('The new invite', envelope(InviteSchema)) },
    }),
    async (c) => {
      const relay = c.var.relay
      const input = c.req.valid('json')
      if (input.expires_at != null && input.expires_at <= nowSeconds()) {
        throw new DomainError(400, 'invalid-expiry', 'expires_at must be in the future (unix seconds)')
      }
      const invite = await onEngine(relay, (engine) => engine.createInvite(relay.id, { label: input.label ?? '', max_uses: input.max_uses ?? null, expires_at: input.expires_at ?? null }))
      return c.json(ok((await inviteViews(relay, [invite]))[0]!), 201)
    },
  )

  app.openapi(
    relayRoute({
      method: 'delete',
      path: '/relays/{id}/invites/{code}',
      summary: 'Revoke an invite code',
      description: 'The code stops working; who joined with it is kept.',
      request: { params: IdParam.extend({ code: z.string().max(64) }) },
      responses: { 200: jsonResponse('The revoked invite', envelope(InviteSchema)) },
    }),
    async (c) => {
      const relay = c.var.relay
      const { code } = c.req.valid('param')
      const invite = await onEngine(relay, (engine) => engine.revokeInvite(relay.id, code), 'no such invite code')
      return c.json(ok((await inviteViews(relay, [invite]))[0]!), 200)
    },
  )

  app.openapi(
    relayRoute({
      method: 'get',
      path: '/relays/{id}/stats',
      summary: 'Live stats',
      description: 'Connections and storage now, and per UTC day the events stored (by kind, by their created_at) and the members.',
      request: { params: IdParam, query: z.object({ days: z.coerce.number().int().min(1).max(366).optional() }) },
      responses: { 200: jsonResponse('Stats', envelope(StatsSchema)) },
    }),
    async (c) => {
      const relay = c.var.relay
      const days = c.req.valid('query').days ?? 30
      const stats = await onEngine(relay, (engine) => engine.stats(relay.id, days))
      // The engine counts every member, and the configured ones (owner, relay, operators) always are members;
      // they are not the tenant's.
      const configured = (await rolesOf(relay)).size
      const counted = (n: number) => Math.max(0, n - configured)
      return c.json(
        ok({
          connections: stats.connections,
          storage_bytes: stats.storage_bytes,
          events_total: stats.events_total,
          members: counted(stats.members),
          members_allowed: platform.plans.get(relay.plan)?.members ?? null,
          daily: stats.daily.map((d) => ({ day: d.day, events: d.events, members: counted(d.members) })),
        }),
        200,
      )
    },
  )

  app.openapi(
    relayRoute({
      method: 'get',
      path: '/relays/{id}/export',
      summary: "Download the relay's events",
      description: 'JSONL, one event per line, oldest first, streamed; `X-Event-Count` says how many to expect.',
      request: { params: IdParam },
      responses: { 200: { description: 'The events', content: { 'application/x-ndjson': { schema: z.string() } } } },
    }),
    async (c) => {
      const relay = c.var.relay
      const { body, count } = await onEngine(relay, (engine) => engine.exportEvents(relay.id))
      const date = new Date().toISOString().slice(0, 10)
      c.header('content-type', 'application/x-ndjson')
      c.header('content-disposition', `attachment; filename="${relay.subdomain}-${date}.jsonl"`)
      c.header('cache-control', 'no-store')
      if (count !== null) c.header('x-event-count', String(count))
      // A stream where the route's types expect text: the OpenAPI document still says what it is.
      return c.body(body, 200) as never
    },
  )

  app.openapi(
    relayRoute({
      method: 'post',
      path: '/relays/{id}/import',
      summary: 'Import events',
      description: `One chunk of a JSONL file (at most ${IMPORT_CHUNK_LIMIT} bytes, cut at a line end); \`first_line\` is the file line number of its first line, so refusals name the file's lines. Every event is verified; replaceable and deletion rules apply; bad lines are reported, not fatal.`,
      request: {
        params: IdParam,
        query: z.object({ first_line: z.coerce.number().int().min(1).optional() }),
        body: { required: true, content: { 'application/x-ndjson': { schema: z.string() } } },
      },
      responses: { 200: jsonResponse('What was accepted, skipped and refused', envelope(ImportSummarySchema)) },
    }),
    async (c) => {
      const relay = c.var.relay
      const firstLine = c.req.valid('query').first_line ?? 1
      const body = Buffer.from(await c.req.arrayBuffer())
      if (body.length === 0) throw new DomainError(400, 'empty-import', 'the import chunk is empty')
      const summary = await onEngine(relay, (engine) => engine.importEvents(relay.id, body, firstLine))
      return c.json(ok(summary), 200)
    },
  )
}
