import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import type { Billing } from '../../billing/billing.js'
import { parsePubkey } from '../../nostr/pubkey.js'
import { DomainError, notFound } from '../../platform/errors.js'
import type { Platform } from '../../platform/platform.js'
import type { ApiEnv } from '../env.js'
import { errorResponse, ok } from '../errors.js'
import { envelope, InvoiceSchema, LightningPaymentSchema, page, PageQuery, PubkeyParam } from '../schemas.js'
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

export function lightningRoutes(platform: Platform, app: OpenAPIHono<ApiEnv>, billing: Billing | undefined) {
  const lightning = () => {
    if (!billing) throw billingOff()
    if (!billing.lightning) throw new DomainError(409, 'lightning-disabled', 'Lightning payments are not set up on this deployment')
    return billing.lightning
  }
  const params = z.object({ id: z.string().max(255) })
  const description =
    'For the invoice of the caller (or any, for an admin): `POST` returns a bolt11 to pay by hand — never one a wallet ' +
    'payment may still settle (then 409 `payment-in-progress`); `GET` reports pending / paid / expired.'

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'post',
      path: '/invoices/{id}/lightning',
      summary: 'Pay an invoice with Lightning',
      description,
      request: { params },
      responses: { 200: jsonResponse('A bolt11 to pay, or the invoice already paid', envelope(LightningPaymentSchema)) },
    }),
    async (c) => {
      const payment = await lightning().pay(c.req.valid('param').id, { pubkey: c.var.auth!.pubkey, isAdmin: c.var.isAdmin })
      return c.json(ok(payment), 200)
    },
  )

  app.openapi(
    defineRoute(platform, 'signed-in', {
      method: 'get',
      path: '/invoices/{id}/lightning',
      summary: "An invoice's Lightning payment",
      description,
      request: { params },
      responses: { 200: jsonResponse('Where the payment stands', envelope(LightningPaymentSchema)) },
    }),
    async (c) => {
      const payment = await lightning().status(c.req.valid('param').id, { pubkey: c.var.auth!.pubkey, isAdmin: c.var.isAdmin })
      return c.json(ok(payment), 200)
    },
  )
}
