import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import { parsePubkey } from '../../nostr/pubkey.js'
import { DomainError, forbidden, notFound } from '../../platform/errors.js'
import { decodeCursor, DEFAULT_PAGE_SIZE, pageOf } from '../../platform/pagination.js'
import type { Platform } from '../../platform/platform.js'
import { subdomainProblem } from '../../platform/validation.js'
import { relayView, relayUrlFor } from '../../platform/views.js'
import type { ApiEnv } from '../env.js'
import { ok } from '../errors.js'
import {
  ActivitySchema,
  envelope,
  IdParam,
  page,
  PageQuery,
  PublicConfigSchema,
  RelayCreateSchema,
  RelayListQuery,
  RelayDetailSchema,
  RelaySchema,
  RelayUpdateSchema,
} from '../schemas.js'
import { defineRoute, jsonBody, jsonResponse } from './define.js'
import { assertMembersFitPlan, relayMembers } from '../../sync/members.js'
import type { RelaySync } from '../../sync/relay-sync.js'

export function relayRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>, relaySync: RelaySync) {
  const { queries, commands } = platform
  const urlFor = relayUrlFor(platform.config.relayDomain, platform.config.engine.port)
  const view = (r: Parameters<typeof relayView>[0]) => relayView(r, urlFor)

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'get',
      path: '/relays',
      summary: 'List relays',
      description: 'Admins see every relay; anyone else sees their own. Filters combine; with `q` the order is by subdomain.',
      request: { query: RelayListQuery },
      responses: { 200: jsonResponse('A page of relays', envelope(page(RelaySchema))) },
    }),
    async (c) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor, status, plan, sync, q } = c.req.valid('query')
      const [after] = cursor ? decodeCursor<[string]>(cursor, ['string']) : ['']
      const tenant = c.var.isAdmin ? undefined : c.var.auth!.pubkey
      const filtered = status !== undefined || plan !== undefined || sync !== undefined || q !== undefined
      const rows = filtered
        ? await queries.listRelaysFiltered({ tenant, status, plan, sync, q }, after, limit + 1)
        : tenant
          ? await queries.listRelaysForTenant(tenant, after, limit + 1)
          : await queries.listRelays(after, limit + 1)
      return c.json(ok(pageOf(rows, limit, view, (r) => [q !== undefined ? r.subdomain : r.id])), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'anyone', {
      method: 'get',
      path: '/config',
      summary: "This deployment's public settings",
      responses: { 200: jsonResponse('Public settings', envelope(PublicConfigSchema)) },
    }),
    (c) =>
      c.json(
        ok({
          billing_enabled: platform.config.stripe !== undefined,
          relay_domain: platform.config.relayDomain,
          relay_url_template: urlFor('{subdomain}'),
          lightning_enabled: platform.config.stripe !== undefined && platform.config.robotWallet !== undefined,
          billing_grace_days: platform.config.billingGraceDays,
          profile_relays: platform.config.robot.indexerRelays,
          signer_relays: platform.config.signerRelays,
        }),
        200,
      ),
  )

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'post',
      path: '/relays',
      summary: 'Create a relay',
      description: "Creates the caller's tenant too when it does not exist yet.",
      request: { body: jsonBody(RelayCreateSchema) },
      responses: { 201: jsonResponse('The new relay', envelope(RelaySchema)) },
    }),
    async (c) => {
      const { tenant: forTenant, ...input } = c.req.valid('json')
      if (input.engine !== undefined && !c.var.isAdmin) throw forbidden()
      let tenant = c.var.auth!.pubkey
      if (forTenant !== undefined) {
        const parsed = parsePubkey(forTenant)
        if (!parsed.ok) throw new DomainError(400, 'invalid-pubkey', 'tenant must be a hex or npub pubkey')
        if (parsed.pubkey !== tenant && !c.var.isAdmin) throw forbidden()
        tenant = parsed.pubkey
      }
      const relay = await commands.createRelay(tenant, input)
      return c.json(ok(view(relay)), 201)
    },
  )

  app.openapi(
    defineRoute(platform, 'anyone', {
      method: 'get',
      path: '/subdomains/{subdomain}',
      summary: 'Is this subdomain available?',
      request: { params: z.object({ subdomain: z.string().max(253) }) },
      responses: {
        200: jsonResponse(
          'Availability, with the reason when it cannot be used',
          envelope(z.object({ subdomain: z.string(), available: z.boolean(), reason: z.string().nullable(), reason_code: z.string().nullable() })),
        ),
      },
    }),
    async (c) => {
      const { subdomain } = c.req.valid('param')
      const problem = subdomainProblem(subdomain) ?? ((await queries.isSubdomainTaken(subdomain)) ? new DomainError(409, 'subdomain-exists', 'this subdomain is already taken') : undefined)
      return c.json(ok({ subdomain, available: !problem, reason: problem?.message ?? null, reason_code: problem?.code ?? null }), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'relay-owner-or-admin', {
      method: 'get',
      path: '/relays/{id}',
      summary: 'Get a relay',
      description: 'With members used / allowed by its plan (`members` is null while the engine cannot be reached).',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The relay', envelope(RelayDetailSchema)) },
    }),
    async (c) => {
      const relay = c.var.relay
      const members = await relayMembers(platform, relay).then(
        ({ used, allowed }) => ({ used, allowed }),
        () => null,
      )
      const engine = c.var.isAdmin ? (relay.engine ?? platform.engines.first.name) : null
      return c.json(ok({ ...view(relay), members, engine }), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'relay-owner-or-admin', {
      method: 'put',
      path: '/relays/{id}',
      summary: 'Update a relay',
      description: 'Info, toggles and plan. The relay is marked unsynced until the engine has the change.',
      request: { params: IdParam, body: jsonBody(RelayUpdateSchema) },
      responses: { 200: jsonResponse('The updated relay', envelope(RelaySchema)) },
    }),
    async (c) => {
      const patch = c.req.valid('json')
      if (patch.plan !== undefined) await assertMembersFitPlan(platform, c.var.relay, patch.plan)
      return c.json(ok(view(await commands.updateRelay(c.var.relay.id, patch))), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'admin', {
      method: 'post',
      path: '/relays/{id}/sync',
      summary: 'Sync a relay to the engine now',
      description: 'Retries at once, ignoring the backoff; answers with the relay after the attempt (see `synced` and `sync_error`).',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The relay after the attempt', envelope(RelaySchema)) },
    }),
    async (c) => {
      const relay = await relaySync.syncNow(c.req.valid('param').id)
      if (!relay) throw notFound('relay')
      return c.json(ok(view(relay)), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'relay-owner-or-admin', {
      method: 'post',
      path: '/relays/{id}/deactivate',
      summary: 'Deactivate a relay',
      description: 'The relay stops serving; its data is kept. Deactivating an inactive or delinquent relay is refused (`relay-is-inactive`).',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The relay', envelope(RelaySchema)) },
    }),
    async (c) => c.json(ok(view(await commands.deactivateRelay(c.var.relay.id))), 200),
  )

  app.openapi(
    defineRoute(platform, 'relay-owner-or-admin', {
      method: 'post',
      path: '/relays/{id}/activate',
      summary: 'Reactivate a relay',
      description: 'A delinquent relay is reactivated by payment; only an admin may force it.',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The relay', envelope(RelaySchema)) },
    }),
    async (c) => c.json(ok(view(await commands.activateRelay(c.var.relay.id, { byAdmin: c.var.isAdmin }))), 200),
  )

  app.openapi(
    defineRoute(platform, 'relay-owner-or-admin', {
      method: 'get',
      path: '/relays/{id}/activity',
      summary: "A relay's activity, newest first",
      request: { params: IdParam, query: PageQuery },
      responses: { 200: jsonResponse('A page of activity', envelope(page(ActivitySchema))) },
    }),
    async (c) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query')
      const before = cursor ? decodeCursor<[number, string]>(cursor, ['number', 'string']) : undefined
      const rows = await queries.listActivityForRelay(
        c.var.relay.id,
        limit + 1,
        before ? { created_at: before[0], id: before[1] } : undefined,
      )
      return c.json(ok(pageOf(rows, limit, (r) => r, (r) => [r.created_at, r.id])), 200)
    },
  )
}
