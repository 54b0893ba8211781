// Stripe webhooks. Receiving is fast and idempotent: verify the signature on the raw body, store the event
// under its id (a duplicate is a no-op), answer 200. A worker then applies each stored event: it re-reads the
// invoice or subscription from Stripe (deliveries are unordered; the current object is the truth) and commits
// the effects together with `processed_at`, so every event takes effect exactly once, even after a crash.
import type { Logger } from 'pino'
import type Stripe from 'stripe'
import type { StripeEventTable, TenantRow } from '../db/schema.js'
import type { Tx } from '../db/database.js'
import type { RecordActivity } from '../platform/commands.js'
import { nowSeconds } from '../platform/ids.js'
import type { Platform } from '../platform/platform.js'
import { realClock, type Clock } from '../workers/clock.js'
import { KeyedQueue } from '../workers/keyed-queue.js'
import { StripeGateway } from './stripe-gateway.js'

const GONE = new Set(['canceled', 'incomplete_expired'])
const INVOICE_OPENED = new Set(['invoice.created', 'invoice.finalized'])
/** Wakes the webhook worker wherever the billing lease is held. */
export const WEBHOOK_SIGNAL = 'stripe-webhooks'

export type ReceiveResult = { status: 200; duplicate: boolean } | { status: 400; code: string; error: string }

export interface WebhookHooks {
  /** The card needs the customer's action: the tenant is sent to the hosted invoice page. */
  paymentActionRequired(tenant: TenantRow, invoice: Stripe.Invoice): void
  /** A payment attempt of an open invoice failed (the tenant is told the payment is due). */
  paymentFailed(tenant: TenantRow, invoice: Stripe.Invoice): void
  /** After a payment failure is recorded (the grace check runs). */
  pastDue(tenant: string): void
  /** After the tenant's subscription vanished in Stripe (the reconciler recreates it if needed). */
  subscriptionGone(tenant: string): void
  /** An invoice was opened for a tenant (Lightning collects it). */
  invoiceOpened(tenant: TenantRow, invoice: Stripe.Invoice): void
}

export class StripeWebhooks {
  private readonly worker: KeyedQueue
  private readonly log: Logger
  private retry: unknown

  constructor(
    private readonly platform: Platform,
    private readonly gateway: StripeGateway,
    private readonly secrets: string[],
    private readonly hooks: WebhookHooks,
    private readonly clock: Clock = realClock,
  ) {
    this.log = platform.log.child({ component: 'stripe-webhooks' })
    this.worker = new KeyedQueue(
      () => this.drain(),
      (err) => this.log.error({ err }, 'webhook worker crashed'),
      1,
    )
  }

  /** Verifies and stores one delivery. Never throws for bad input. */
  async receive(rawBody: string, signature: string | undefined): Promise<ReceiveResult> {
    if (!signature) return { status: 400, code: 'signature-missing', error: 'missing Stripe-Signature header' }
    let event: Stripe.Event
    try {
      event = this.gateway.constructEvent(rawBody, signature, this.secrets)
    } catch {
      return { status: 400, code: 'signature-invalid', error: 'the Stripe signature does not match this body, or it is too old' }
    }
    const inserted = await this.platform.db.transaction(async (tx) =>
      await tx.run(
        tx.q
          .insertInto('stripe_event')
          .values({ id: event.id, type: event.type, received_at: nowSeconds(), processed_at: null, payload: rawBody })
          .onConflict((oc) => oc.column('id').doNothing()),
      ),
    )
    // Also on a duplicate: a redelivery of an event stored but not applied yet (a crash) finishes the work. The
    // worker runs where the billing lease is held: this instance or another one.
    this.platform.bus.signal(WEBHOOK_SIGNAL)
    return { status: 200, duplicate: inserted === 0 }
  }

  /** Applies stored events not yet processed (also at start-up: a crash only delays them). */
  kick(): void {
    this.worker.request('events')
  }

  idle(): Promise<void> {
    return this.worker.idle()
  }

  stop(): void {
    this.worker.stop()
    this.clock.clearTimeout(this.retry)
  }

  private async drain(): Promise<void> {
    let failed = false
    const seen = new Set<string>()
    for (;;) {
      const batch = (await this.platform.queries.listUnprocessedStripeEvents(100)).filter((e) => !seen.has(e.id))
      if (batch.length === 0) break
      for (const row of batch) {
        seen.add(row.id)
        try {
          await this.apply(row)
        } catch (err) {
          failed = true
          this.log.warn({ event: row.id, type: row.type, err: (err as Error).message }, 'webhook event not applied yet; will retry')
        }
        // Let waiting requests (new deliveries above all, which must be acknowledged fast) run between events.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    if (failed) {
      this.clock.clearTimeout(this.retry)
      this.retry = this.clock.setTimeout(() => this.worker.request('events'), 30_000)
    }
  }

  private async apply(row: StripeEventTable): Promise<void> {
    const event = JSON.parse(row.payload ?? '{}') as Stripe.Event
    const object = event.data?.object as { id?: string; customer?: string | { id: string } | null }
    const customer = typeof object?.customer === 'string' ? object.customer : (object?.customer?.id ?? null)
    const tenant = customer ? await this.platform.queries.getTenantByStripeCustomerId(customer) : undefined
    if (!tenant) {
      this.log.info({ event: row.id, type: row.type, customer }, 'webhook for no known tenant acknowledged')
      await this.commit(row, async () => {})
      return
    }
    if (row.type.startsWith('invoice.')) return this.applyInvoice(row, tenant, object.id!)
    if (row.type.startsWith('customer.subscription.')) return this.applySubscription(row, tenant, object.id!)
    this.log.info({ event: row.id, type: row.type }, 'unhandled webhook type acknowledged')
    await this.commit(row, async () => {})
  }

  private async applyInvoice(row: StripeEventTable, tenant: TenantRow, invoiceId: string): Promise<void> {
    const invoice = await this.gateway.getInvoice(invoiceId)
    if (!invoice) {
      await this.commit(row, async () => {})
      return
    }
    const failedType = row.type === 'invoice.payment_failed' || row.type === 'invoice.marked_uncollectible'
    let pastDue = false
    const claimed = await this.commit(row, async (tx, record) => {
      if (invoice.status === 'paid') await this.paidIn(tx, record, tenant.pubkey)
      else if (failedType && (invoice.status === 'open' || invoice.status === 'uncollectible')) pastDue = await this.pastDueIn(tx, record, tenant.pubkey)
    })
    // Another worker applied it meanwhile (a lease handed over mid-event): its hooks ran there.
    if (!claimed) return
    if (pastDue || (failedType && invoice.status !== 'paid')) this.hooks.pastDue(tenant.pubkey)
    if (row.type === 'invoice.payment_failed' && invoice.status === 'open') this.hooks.paymentFailed(tenant, invoice)
    if (row.type === 'invoice.payment_action_required' && invoice.status === 'open' && invoice.hosted_invoice_url) {
      this.hooks.paymentActionRequired(tenant, invoice)
    }
    if (INVOICE_OPENED.has(row.type) && invoice.status !== 'paid' && invoice.status !== 'void') this.hooks.invoiceOpened(tenant, invoice)
  }

  private async applySubscription(row: StripeEventTable, tenant: TenantRow, subscriptionId: string): Promise<void> {
    const subscription = await this.gateway.getSubscription(subscriptionId)
    const status = subscription?.status ?? 'canceled'
    const gone = GONE.has(status)
    const owesMoney = await this.platform.queries.hasActivePaidRelays(tenant.pubkey)
    let pastDue = false
    const claimed = await this.commit(row, async (tx, record) => {
      if (gone && tenant.stripe_subscription_id === subscriptionId) {
        await tx.run(
          tx.q
            .updateTable('tenant')
            .set((eb) => ({ stripe_subscription_id: null, billing_revision: eb('billing_revision', '+', 1) }))
            .where('pubkey', '=', tenant.pubkey),
        )
        await record('update_tenant', { tenant: tenant.pubkey }, `subscription ${subscriptionId} ${status} in Stripe`)
      }
      // Cancelled or unpaid while relays still need paying for: the tenant is past due.
      if ((gone && owesMoney && tenant.stripe_subscription_id === subscriptionId) || status === 'unpaid') {
        pastDue = await this.pastDueIn(tx, record, tenant.pubkey)
      }
    })
    if (!claimed) return
    if (pastDue) this.hooks.pastDue(tenant.pubkey)
    if (gone) this.hooks.subscriptionGone(tenant.pubkey)
  }

  /**
   * Marks the event processed and applies `effects` in the same transaction; a second worker finds it done.
   * Returns false when it was done already (the caller then skips the hooks: they ran with the first).
   */
  private async commit(row: StripeEventTable, effects: (tx: Tx, record: RecordActivity) => Promise<void>): Promise<boolean> {
    return this.platform.commands.write(async (tx, record) => {
      const claimed = await tx.run(
        tx.q.updateTable('stripe_event').set({ processed_at: nowSeconds() }).where('id', '=', row.id).where('processed_at', 'is', null),
      )
      if (claimed === 1) await effects(tx, record)
      return claimed === 1
    })
  }

  /** Payment: clear past due and bring back only the relays billing suspended. */
  private async paidIn(tx: Tx, record: RecordActivity, pubkey: string): Promise<void> {
    const changed = await tx.run(tx.q.updateTable('tenant').set({ past_due_at: null }).where('pubkey', '=', pubkey).where('past_due_at', 'is not', null))
    if (changed === 1) await record('update_tenant', { tenant: pubkey }, 'payment received')
    const delinquent = await tx.all(tx.q.selectFrom('relay').selectAll().where('tenant', '=', pubkey).where('status', '=', 'delinquent'))
    for (const relay of delinquent) await this.platform.commands.changeStatusIn(tx, record, relay, 'active', 'activate_relay', 'payment received')
  }

  /** Returns true when the tenant just became past due. */
  private async pastDueIn(tx: Tx, record: RecordActivity, pubkey: string): Promise<boolean> {
    const changed = await tx.run(tx.q.updateTable('tenant').set({ past_due_at: nowSeconds() }).where('pubkey', '=', pubkey).where('past_due_at', 'is', null))
    if (changed === 1) await record('update_tenant', { tenant: pubkey }, 'payment failed: past due')
    return changed === 1
  }
}
