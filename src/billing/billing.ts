// Billing, assembled: the Stripe gateway, the subscription reconciler, the webhook worker and the grace-period
// check, started and stopped together. Only exists when STRIPE_SECRET_KEY is set.
import type Stripe from 'stripe'
import type { TenantRow } from '../db/schema.js'
import type { Platform } from '../platform/platform.js'
import { realClock, type Clock } from '../workers/clock.js'
import { BtcPriceSource } from './btc-price.js'
import { suspendPastDueTenants, suspendTenantIfGraceOver } from './grace.js'
import { Lightning, type LightningOptions } from './lightning.js'
import { NwcWallet } from './nwc.js'
import { BillingReconciler } from './reconcile.js'
import { remindRenewals } from './renewals.js'
import { StripeGateway } from './stripe-gateway.js'
import { StripeWebhooks, WEBHOOK_SIGNAL } from './webhooks.js'
import { Lease } from '../workers/lease.js'

export type InvoiceListener = (tenant: TenantRow, invoice: Stripe.Invoice) => void

/** What billing tells tenants (the robot's DMs). */
export interface BillingNotices {
  paymentDue(p: { tenant: string; invoiceId: string; amountCents?: number }): void
  autopayFailed(p: { tenant: string; invoiceId: string; attempt: number; reason: string }): void
  /** The card needs the customer's action; `hostedUrl` is Stripe's page for it. */
  paymentActionRequired?(p: { tenant: string; invoiceId: string; hostedUrl: string }): void
  /** A paid period renews in a few days and the tenant has no working way to pay. */
  renewalSoon?(p: { tenant: string; subscriptionId: string; renewsAt: number; amountCents: number }): void
  /** A display name for the Stripe customer, from the tenant's Nostr profile when it can be found. */
  displayName?(pubkey: string): Promise<string | undefined>
}

export class Billing {
  readonly gateway: StripeGateway
  readonly reconciler: BillingReconciler
  readonly webhooks: StripeWebhooks
  private readonly invoiceListeners = new Set<InvoiceListener>()
  /** Lightning collection, when the operator configured a wallet (ROBOT_WALLET); set by `start()`. */
  lightning: Lightning | undefined
  private unsubscribe: (() => void) | undefined
  private unsignal: (() => void) | undefined
  /** With several instances, the one holding `billing` runs its workers: reconciler, webhooks, grace, renewals, Lightning checks. */
  readonly lease: Lease
  private graceTimer: unknown
  private renewalTimer: unknown
  private readonly notices: BillingNotices | undefined
  private readonly graceEveryMs: number
  private readonly lightningOptions: Partial<LightningOptions>

  constructor(
    private readonly platform: Platform,
    private readonly clock: Clock = realClock,
    options: { graceEveryMs?: number; lightning?: Partial<LightningOptions>; notices?: BillingNotices; lease?: Lease } = {},
  ) {
    const notices = options.notices
    this.notices = notices
    this.lightningOptions = { autopayFailed: notices ? (f) => notices.autopayFailed(f) : undefined, ...options.lightning }
    const stripe = platform.config.stripe
    if (!stripe) throw new Error('billing is off: STRIPE_SECRET_KEY is not set')
    this.graceEveryMs = options.graceEveryMs ?? 10 * 60_000
    this.lease = options.lease ?? new Lease(platform.leases, 'billing', { log: platform.log.child({ component: 'billing' }) })
    this.gateway = new StripeGateway(stripe)
    this.reconciler = new BillingReconciler(platform, this.gateway, clock, notices?.displayName)
    const log = platform.log.child({ component: 'billing' })
    this.webhooks = new StripeWebhooks(
      platform,
      this.gateway,
      stripe.webhookSecrets,
      {
        paymentActionRequired: (tenant, invoice) =>
          notices?.paymentActionRequired?.({ tenant: tenant.pubkey, invoiceId: invoice.id!, hostedUrl: invoice.hosted_invoice_url! }),
        paymentFailed: (tenant, invoice) => notices?.paymentDue({ tenant: tenant.pubkey, invoiceId: invoice.id!, amountCents: invoice.amount_remaining }),
        pastDue: (tenant) => {
          this.track(suspendTenantIfGraceOver(platform, tenant, platform.config.billingGraceDays).catch((err) => log.error({ err, tenant }, 'grace check failed')))
        },
        subscriptionGone: (tenant) => this.reconciler.request(tenant),
        invoiceOpened: (tenant, invoice) => {
          for (const listener of this.invoiceListeners) listener(tenant, invoice)
        },
      },
      clock,
    )
  }

  /** Lightning collection hooks in here: called for each invoice Stripe opens for a tenant. */
  onInvoiceOpened(listener: InvoiceListener): () => void {
    this.invoiceListeners.add(listener)
    return () => this.invoiceListeners.delete(listener)
  }

  async start(): Promise<void> {
    const walletUri = this.platform.config.robotWallet
    if (walletUri || this.lightningOptions.robotWallet) {
      this.lightning = new Lightning(this.platform, this.gateway, {
        prices: new BtcPriceSource(this.platform.config.btcPrice),
        clock: this.clock,
        ...this.lightningOptions,
        robotWallet: this.lightningOptions.robotWallet ?? (await NwcWallet.connect(walletUri!)),
      })
      this.onInvoiceOpened((tenant, invoice) => this.lightning!.onInvoiceOpened(tenant, invoice))
    }
    // The API (portal, manual Lightning payment, receiving webhooks) works on every instance; what runs by itself
    // runs only where the lease is held.
    this.unsubscribe = this.platform.bus.subscribe((activity) => {
      if (this.lease.held) this.reconciler.onActivity(activity)
    })
    this.unsignal = this.platform.bus.onSignal(WEBHOOK_SIGNAL, () => {
      if (this.lease.held) this.webhooks.kick()
    })
    await this.lease.start({
      onAcquired: async () => {
        this.lightning?.start()
        this.webhooks.kick()
        await this.reconciler.reconcileAll()
        await this.checkGrace()
        this.track(this.checkRenewals())
      },
      onLost: () => {
        this.lightning?.stop()
        this.clock.clearTimeout(this.graceTimer)
        this.clock.clearTimeout(this.renewalTimer)
      },
    })
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    this.unsignal?.()
    this.reconciler.stop()
    this.webhooks.stop()
    this.lightning?.stop()
    this.clock.clearTimeout(this.graceTimer)
    this.clock.clearTimeout(this.renewalTimer)
    await this.lease.stop()
  }

  /** Reminds tenants whose paid period renews soon with no way to pay; again every six hours (once per period). */
  async checkRenewals(): Promise<number> {
    this.clock.clearTimeout(this.renewalTimer)
    try {
      const renewalSoon = this.notices?.renewalSoon
      if (!renewalSoon) return 0
      return await remindRenewals(this.platform, this.gateway, (n) => renewalSoon(n), Math.floor(this.clock.now() / 1000))
    } catch (err) {
      this.platform.log.warn({ err: (err as Error).message }, 'renewal reminders failed')
      return 0
    } finally {
      if (this.lease.held) this.renewalTimer = this.clock.setTimeout(() => this.track(this.checkRenewals()), 6 * 3600_000)
    }
  }

  /** Suspends whoever's grace is over, then checks again later. */
  async checkGrace(): Promise<number> {
    this.clock.clearTimeout(this.graceTimer)
    try {
      return await suspendPastDueTenants(this.platform, this.platform.config.billingGraceDays, Math.floor(this.clock.now() / 1000))
    } finally {
      if (this.lease.held) this.graceTimer = this.clock.setTimeout(() => void this.checkGrace().catch(() => undefined), this.graceEveryMs)
    }
  }

  private readonly background = new Set<Promise<unknown>>()

  /** Keeps hold of work started from a webhook so `idle()` can wait for it. */
  private track(work: Promise<unknown>): void {
    const tracked = work.finally(() => this.background.delete(tracked))
    this.background.add(tracked)
  }

  async idle(): Promise<void> {
    await this.webhooks.idle()
    while (this.background.size > 0) await Promise.allSettled([...this.background])
    await this.reconciler.idle()
    await this.webhooks.idle()
    await this.lightning?.idle()
  }
}
