import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import type { Billing } from '../../billing/billing.js'
import { parsePubkey } from '../../nostr/pubkey.js'
import { DomainError, notFound } from '../../platform/errors.js'
import type { Platform } from '../../platform/platform.js'
import type { ApiEnv } from '../env.js'
import { errorResponse, ok } from '../errors.js'
import { envelope, InvoiceSchema, page, PageQuery, PubkeyParam } from '../schemas.js'
import { defineRoute, jsonResponse } from './define.js'

export const WEBHOOK_PATH = '/stripe/webhook'
export const WEBHOOK_BODY_LIMIT = 1024 * 1024

const billingOff = () => new DomainError(409, 'billing-disabled', 'billing is off on this deployment: every plan is free')

export function billingRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>, billing: Billing | undefined) {
  const tenantOf = async (raw: string) => {
    const parsed = parsePubkey(raw)
    const tenant = parsed.ok ? await platform.queries.getTenant(parsed.pubkey) : undefined
    if (!tenant) throw notFound('tenant')
    return tenant
  }

  app.openapi(
    defineRoute(platform, 'anyone', {
      method: 'post',
      path: WEBHOOK_PATH,
      summary: 'Stripe webhook',
      description:
        'Authenticated by the `Stripe-Signature` header over the raw body (300 s tolerance; several secrets while rotating). ' +
        'Each event id takes effect once; a duplicate answers 200 with `duplicate: true`.',
      middleware: [
        bodyLimit({
          maxSize: WEBHOOK_BODY_LIMIT,
          onError: (c) => errorResponse(c, new DomainError(413, 'body-too-large', 'the webhook body is too large')),
        }),
      ],
      responses: { 200: jsonResponse('Received', envelope(z.object({ received: z.boolean(), duplicate: z.boolean() }))) },
    }),
    async (c) => {
      if (!billing) throw billingOff()
      const result = await billing.webhooks.receive(await c.req.text(), c.req.header('stripe-signature'))
      if (result.status === 400) throw new DomainError(400, result.code, result.error)
      return c.json(ok({ received: true, duplicate: result.duplicate }), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'self-or-admin', {
      method: 'post',
      path: '/tenants/{pubkey}/portal',
      summary: 'Open the Stripe customer portal',
      description: 'Returns a short-lived URL where the tenant adds or changes a card.',
      request: { params: PubkeyParam },
      responses: { 200: jsonResponse('The portal URL', envelope(z.object({ url: z.string() }))) },
    }),
    async (c) => {
      if (!billing) throw billingOff()
      const tenant = await tenantOf(c.req.valid('param').pubkey)
      const customer = await billing.reconciler.ensureCustomer(tenant.pubkey)
      const url = await billing.gateway.createPortalSession(customer, `${platform.config.appUrl}/account`)
      return c.json(ok({ url }), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'self-or-admin', {
      method: 'get',
      path: '/tenants/{pubkey}/invoices',
      summary: "A tenant's invoices",
      description: 'From Stripe, newest first; empty when billing is off. The cursor is the last invoice id.',
      request: { params: PubkeyParam, query: PageQuery },
      responses: { 200: jsonResponse('A page of invoices', envelope(page(InvoiceSchema))) },
    }),
    async (c) => {
      const tenant = await tenantOf(c.req.valid('param').pubkey)
      const { limit = 20, cursor } = c.req.valid('query')
      if (!billing || !tenant.stripe_customer_id) return c.json(ok({ items: [], next_cursor: null }), 200)
      const { items, hasMore } = await billing.gateway.listInvoices(tenant.stripe_customer_id, limit, cursor)
      return c.json(ok({ items, next_cursor: hasMore ? items[items.length - 1]!.id : null }), 200)
    },
  )
}
