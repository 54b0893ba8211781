import type { OpenAPIHono } from '@hono/zod-openapi'
import { parsePubkey } from '../../nostr/pubkey.js'
import { DomainError, notFound } from '../../platform/errors.js'
import { decodeCursor, DEFAULT_PAGE_SIZE, pageOf } from '../../platform/pagination.js'
import type { Platform } from '../../platform/platform.js'
import { relayView, relayUrlFor, tenantView } from '../../platform/views.js'
import { parseWalletConnectUri } from '../../platform/wallet-connect-uri.js'
import type { Billing } from '../../billing/billing.js'
import type { ApiEnv } from '../env.js'
import { ok } from '../errors.js'
import { envelope, page, PageQuery, PubkeyParam, RelaySchema, TenantListQuery, TenantSchema, TenantUpdateSchema } from '../schemas.js'
import { defineRoute, jsonBody, jsonResponse } from './define.js'

/** The guard has already validated the path pubkey; this normalises npub to hex. */
function pathPubkey(raw: string): string {
  const parsed = parsePubkey(raw)
  return parsed.ok ? parsed.pubkey : raw
}

export function tenantRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>, billing: Billing | undefined) {
  const { queries, commands } = platform
  // The wallet's pubkey is the host part of the sealed URI: opened here only to read that.
  const view = (row: Parameters<typeof tenantView>[0]) =>
    tenantView(row, (sealed) => {
      try {
        return parseWalletConnectUri(platform.box.open(sealed)).walletPubkey
      } catch {
        return null
      }
    })
  const urlFor = relayUrlFor(platform.config.relayDomain, platform.config.engine.port)

  app.openapi(
    defineRoute(platform, 'admin', {
      method: 'get',
      path: '/tenants',
      summary: 'List all tenants',
      request: { query: TenantListQuery },
      responses: { 200: jsonResponse('A page of tenants', envelope(page(TenantSchema))) },
    }),
    async (c) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor, q } = c.req.valid('query')
      const [after] = cursor ? decodeCursor<[string]>(cursor, ['string']) : ['']
      let rows
      if (q === undefined || q.trim() === '') rows = await queries.listTenants(after, limit + 1)
      else {
        const full = parsePubkey(q)
        const prefix = full.ok ? full.pubkey : q.trim().toLowerCase()
        if (!/^[0-9a-f]{1,64}$/.test(prefix)) throw new DomainError(400, 'invalid-pubkey', 'q must be a hex pubkey prefix or an npub')
        rows = await queries.searchTenants(prefix, after, limit + 1)
      }
      return c.json(ok(pageOf(rows, limit, view, (r) => [r.pubkey])), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'post',
      path: '/tenants',
      summary: "Create (or get) the caller's tenant",
      description: 'Idempotent and safe under concurrent calls: the first call creates the tenant (201), later ones return it (200).',
      responses: {
        200: jsonResponse('The existing tenant', envelope(TenantSchema)),
        201: jsonResponse('The new tenant', envelope(TenantSchema)),
      },
    }),
    async (c) => {
      const { tenant, created } = await commands.ensureTenant(c.var.auth!.pubkey)
      if (billing && !tenant.stripe_customer_id) {
        // Best effort here; the billing reconciler also creates it (same idempotency key) and retries.
        await billing.reconciler.ensureCustomer(tenant.pubkey).catch((err) => platform.log.warn({ err: (err as Error).message }, 'stripe customer not created yet'))
      }
      const current = (await queries.getTenant(tenant.pubkey)) ?? tenant
      return c.json(ok(view(current)), created ? 201 : 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'self-or-admin', {
      method: 'get',
      path: '/tenants/{pubkey}',
      summary: 'Get a tenant',
      request: { params: PubkeyParam },
      responses: { 200: jsonResponse('The tenant', envelope(TenantSchema)) },
    }),
    async (c) => {
      const tenant = await queries.getTenant(pathPubkey(c.req.valid('param').pubkey))
      if (!tenant) throw notFound('tenant')
      return c.json(ok(view(tenant)), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'self-or-admin', {
      method: 'put',
      path: '/tenants/{pubkey}',
      summary: "Update a tenant's wallet",
      request: { params: PubkeyParam, body: jsonBody(TenantUpdateSchema) },
      responses: { 200: jsonResponse('The tenant', envelope(TenantSchema)) },
    }),
    async (c) => {
      const pubkey = pathPubkey(c.req.valid('param').pubkey)
      const hadWallet = Boolean((await queries.getTenant(pubkey))?.nwc_url)
      const tenant = await commands.setTenantWallet(pubkey, c.req.valid('json').nwc_url)
      // A wallet saved for the first time pays the tenant's open invoices (in the background).
      if (!hadWallet && tenant.nwc_url) billing?.lightning?.walletSaved(pubkey)
      return c.json(ok(view(tenant)), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'self-or-admin', {
      method: 'get',
      path: '/tenants/{pubkey}/relays',
      summary: "List a tenant's relays",
      request: { params: PubkeyParam, query: PageQuery },
      responses: { 200: jsonResponse('A page of relays', envelope(page(RelaySchema))) },
    }, { cache: true }),
    async (c) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = c.req.valid('query')
      const [after] = cursor ? decodeCursor<[string]>(cursor, ['string']) : ['']
      const rows = await queries.listRelayViewsForTenant(pathPubkey(c.req.valid('param').pubkey), after, limit + 1)
      return c.json(ok(pageOf(rows, limit, (r) => relayView(r, urlFor), (r) => [r.id])), 200)
    },
  )
}
