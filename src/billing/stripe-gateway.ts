// The one place that talks to Stripe. Every create carries a deterministic idempotency key derived from our
// ids (with a revision where the parameters can change), so a retried call never creates twice.
import { createHash } from 'node:crypto'
import Stripe from 'stripe'
import type { Config } from '../config.js'

export const STRIPE_API_VERSION = '2026-10-28.endive'

export type StripeSubscription = Stripe.Subscription
export type StripeInvoice = Stripe.Invoice

export interface DesiredItem {
  price: string
  quantity: number
}

export interface InvoiceSummary {
  id: string
  status: string | null
  amount_due: number
  amount_paid: number
  amount_remaining: number
  currency: string
  created: number
  due_date: number | null
  period_start: number | null
  period_end: number | null
  hosted_invoice_url: string | null
}

function isMissing(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing'
}

function subscriptionOf(invoice: Stripe.Invoice): string | null {
  const nested = invoice.parent?.subscription_details?.subscription
  const value = nested ?? (invoice as unknown as { subscription?: string | { id: string } | null }).subscription ?? null
  return typeof value === 'string' ? value : (value?.id ?? null)
}

export class StripeGateway {
  readonly client: Stripe

  constructor(config: NonNullable<Config['stripe']>) {
    const base = config.apiBase
    this.client = new Stripe(config.secretKey, {
      apiVersion: STRIPE_API_VERSION as Stripe.LatestApiVersion,
      telemetry: false,
      // A local double answers or fails at once; Stripe itself deserves a couple of retries (safe: idempotent).
      maxNetworkRetries: base ? 0 : 2,
      timeout: 20_000,
      ...(base
        ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol.replace(':', '') as 'http' | 'https' }
        : {}),
    })
  }

  async createCustomer(tenant: string, name: string | undefined): Promise<string> {
    const customer = await this.client.customers.create(
      { ...(name ? { name } : {}), metadata: { tenant_pubkey: tenant } },
      { idempotencyKey: `tenant:${tenant}:customer` },
    )
    return customer.id
  }

  /** The subscription, or null when Stripe does not know it. */
  async getSubscription(id: string): Promise<Stripe.Subscription | null> {
    try {
      return await this.client.subscriptions.retrieve(id)
    } catch (err) {
      if (isMissing(err)) return null
      throw err
    }
  }

  async createSubscription(tenant: string, customer: string, items: DesiredItem[], revision: number): Promise<Stripe.Subscription> {
    const digest = createHash('sha256').update(JSON.stringify(items)).digest('hex').slice(0, 16)
    return this.client.subscriptions.create(
      {
        customer,
        items,
        metadata: { tenant_pubkey: tenant },
        collection_method: 'charge_automatically',
        // Never block a relay on payment: an unpaid first invoice leaves the subscription incomplete and the
        // grace period decides.
        payment_behavior: 'allow_incomplete',
        proration_behavior: 'create_prorations',
      },
      { idempotencyKey: `tenant:${tenant}:subscription:r${revision}:${digest}` },
    )
  }

  /** Moves the subscription's items to the desired prices and quantities; items not desired are removed. */
  async updateSubscriptionItems(subscription: Stripe.Subscription, items: DesiredItem[]): Promise<Stripe.Subscription | null> {
    const current = new Map(subscription.items.data.map((item) => [item.price.id, item]))
    const changes: Stripe.SubscriptionUpdateParams.Item[] = []
    for (const { price, quantity } of items) {
      const existing = current.get(price)
      if (!existing) changes.push({ price, quantity })
      else if (existing.quantity !== quantity) changes.push({ id: existing.id, quantity })
      current.delete(price)
    }
    for (const item of current.values()) changes.push({ id: item.id, deleted: true })
    if (changes.length === 0) return null
    return this.client.subscriptions.update(subscription.id, { items: changes, proration_behavior: 'create_prorations' })
  }

  async cancelSubscription(id: string): Promise<void> {
    try {
      await this.client.subscriptions.cancel(id)
    } catch (err) {
      if (!isMissing(err)) throw err
    }
  }

  async getInvoice(id: string): Promise<Stripe.Invoice | null> {
    try {
      return await this.client.invoices.retrieve(id)
    } catch (err) {
      if (isMissing(err)) return null
      throw err
    }
  }

  async listInvoices(customer: string, limit: number, startingAfter?: string): Promise<{ items: InvoiceSummary[]; hasMore: boolean }> {
    const page = await this.client.invoices.list({ customer, limit, ...(startingAfter ? { starting_after: startingAfter } : {}) })
    return {
      hasMore: page.has_more,
      items: page.data.map((i) => ({
        id: i.id!,
        status: i.status,
        amount_due: i.amount_due,
        amount_paid: i.amount_paid,
        amount_remaining: i.amount_remaining,
        currency: i.currency,
        created: i.created,
        due_date: i.due_date ?? null,
        period_start: i.period_start ?? null,
        period_end: i.period_end ?? null,
        hosted_invoice_url: i.hosted_invoice_url ?? null,
      })),
    }
  }

  /** Whether Stripe can charge the customer by itself (a default card or source). */
  async hasPaymentMethod(customer: string): Promise<boolean> {
    const found = await this.client.customers.retrieve(customer)
    if ('deleted' in found && found.deleted) return false
    const c = found as Stripe.Customer
    return Boolean(c.invoice_settings?.default_payment_method || c.default_source)
  }

  async createPortalSession(customer: string, returnUrl: string): Promise<string> {
    const session = await this.client.billingPortal.sessions.create({ customer, return_url: returnUrl })
    return session.url
  }

  /** Marks an invoice paid outside Stripe (Lightning); idempotent per invoice. */
  async payInvoiceOutOfBand(id: string): Promise<void> {
    await this.client.invoices.pay(id, { paid_out_of_band: true }, { idempotencyKey: `invoice:${id}:pay-oob` })
  }

  /** Verifies a webhook against each configured secret (rotation); throws when none matches. */
  constructEvent(rawBody: string, signature: string, secrets: string[]): Stripe.Event {
    let last: unknown
    for (const secret of secrets) {
      try {
        return this.client.webhooks.constructEvent(rawBody, signature, secret, 300)
      } catch (err) {
        last = err
      }
    }
    throw last
  }

  static subscriptionOf = subscriptionOf
}
