// The billing reconciler: makes each tenant's Stripe subscription match its paid relays — one item per paid
// plan price, quantity = relays on that plan that are active or suspended for non-payment; none → cancel. Runs on relay activity, for
// every tenant that may owe money at start-up, and retries failures with backoff.
import type { Logger } from 'pino'
import type { ActivityRow } from '../db/schema.js'
import type { Platform } from '../platform/platform.js'
import { retryDelayMs } from '../workers/backoff.js'
import { realClock, type Clock } from '../workers/clock.js'
import { KeyedQueue } from '../workers/keyed-queue.js'
import { RetryTimers } from '../workers/retry-timers.js'
import type { DesiredItem, StripeGateway } from './stripe-gateway.js'

const RELAY_TRIGGERS = new Set(['create_relay', 'update_relay', 'activate_relay', 'deactivate_relay', 'mark_relay_delinquent'])
const GONE = new Set(['canceled', 'incomplete_expired'])

export class BillingReconciler {
  private readonly queue: KeyedQueue
  private readonly failures = new Map<string, number>()
  private readonly retries: RetryTimers
  private readonly log: Logger

  constructor(
    private readonly platform: Platform,
    private readonly gateway: StripeGateway,
    private readonly clock: Clock = realClock,
    private readonly displayName?: (pubkey: string) => Promise<string | undefined>,
  ) {
    this.log = platform.log.child({ component: 'billing' })
    this.retries = new RetryTimers(clock)
    this.queue = new KeyedQueue(
      (tenant) => this.reconcileNow(tenant),
      (err, tenant) => this.log.error({ err, tenant }, 'billing reconcile crashed'),
      4,
    )
  }

  onActivity(activity: ActivityRow): void {
    if (activity.activity_type === 'create_tenant' || (activity.resource_type === 'relay' && RELAY_TRIGGERS.has(activity.activity_type))) {
      this.request(activity.tenant)
    }
  }

  request(tenant: string): void {
    this.retries.cancel(tenant)
    this.queue.request(tenant)
  }

  idle(): Promise<void> {
    return this.queue.idle()
  }

  settled(tenant: string): Promise<void> {
    return this.queue.settled(tenant)
  }

  stop(): void {
    this.queue.stop()
    this.retries.clear()
  }

  /** Every tenant that holds a subscription or has an active relay on a paid plan. */
  async reconcileAll(): Promise<void> {
    const tenants = new Set<string>()
    for (let after = ''; ; ) {
      const page = await this.platform.queries.listTenantsWithSubscription(after, 500)
      if (page.length === 0) break
      for (const t of page) tenants.add(t.pubkey)
      after = page[page.length - 1]!.stripe_subscription_id!
    }
    const paid = new Set(this.platform.plans.list.filter((p) => p.amount > 0).map((p) => p.id as string))
    for (let after = ''; ; ) {
      const page = await this.platform.queries.listActiveRelays(after, 1000)
      if (page.length === 0) break
      for (const r of page) if (paid.has(r.plan)) tenants.add(r.tenant)
      after = page[page.length - 1]!.id
    }
    for (const tenant of tenants) this.request(tenant)
  }

  /** Creates the tenant's Stripe customer once (deterministic idempotency key) and stores its id. */
  async ensureCustomer(pubkey: string): Promise<string> {
    const tenant = await this.platform.queries.getTenant(pubkey)
    if (!tenant) throw new Error(`no tenant ${pubkey}`)
    if (tenant.stripe_customer_id) return tenant.stripe_customer_id
    // The name is a courtesy for the operator's Stripe dashboard: never let a slow profile lookup block billing.
    const name = await this.displayName?.(pubkey).catch(() => undefined)
    const id = await this.gateway.createCustomer(pubkey, name)
    await this.platform.commands.write(async (tx, record) => {
      const changed = await tx.run(
        tx.q.updateTable('tenant').set({ stripe_customer_id: id }).where('pubkey', '=', pubkey).where('stripe_customer_id', 'is', null),
      )
      if (changed === 1) await record('update_tenant', { tenant: pubkey }, 'stripe customer created')
    })
    return id
  }

  private async desiredItems(pubkey: string): Promise<DesiredItem[]> {
    const counts = new Map<string, number>()
    for (let after = ''; ; ) {
      const page = await this.platform.queries.listRelaysForTenant(pubkey, after, 1000)
      if (page.length === 0) break
      for (const relay of page) {
        const price = this.platform.plans.get(relay.plan)?.stripe_price_id
        // A delinquent relay is suspended, not cancelled: it stays on the bill until paid or deactivated.
        if ((relay.status === 'active' || relay.status === 'delinquent') && price) counts.set(price, (counts.get(price) ?? 0) + 1)
      }
      after = page[page.length - 1]!.id
    }
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([price, quantity]) => ({ price, quantity }))
  }

  private async setSubscription(pubkey: string, id: string | null, why: string): Promise<void> {
    await this.platform.commands.write(async (tx, record) => {
      const update = tx.q.updateTable('tenant').where('pubkey', '=', pubkey)
      await tx.run(
        id === null
          ? update.set((eb) => ({ stripe_subscription_id: null, billing_revision: eb('billing_revision', '+', 1) }))
          : update.set({ stripe_subscription_id: id }),
      )
      await record('update_tenant', { tenant: pubkey }, why)
    })
  }

  private async reconcileNow(pubkey: string): Promise<void> {
    try {
      await this.reconcileOnce(pubkey)
      this.failures.delete(pubkey)
    } catch (err) {
      const n = (this.failures.get(pubkey) ?? 0) + 1
      this.failures.set(pubkey, n)
      const delay = retryDelayMs(n)
      this.log.warn({ err: (err as Error).message, tenant: pubkey, retryInMs: delay }, 'billing reconcile failed')
      this.retries.schedule(pubkey, delay, () => this.queue.request(pubkey))
    }
  }

  private async reconcileOnce(pubkey: string): Promise<void> {
    const { queries } = this.platform
    let tenant = await queries.getTenant(pubkey)
    if (!tenant) return
    const customer = tenant.stripe_customer_id ?? (await this.ensureCustomer(pubkey))
    let subscription = tenant.stripe_subscription_id ? await this.gateway.getSubscription(tenant.stripe_subscription_id) : null
    if (tenant.stripe_subscription_id && (!subscription || GONE.has(subscription.status))) {
      // Missing or cancelled in Stripe: forget it here; it is recreated below if relays still need it.
      await this.setSubscription(pubkey, null, `subscription ${tenant.stripe_subscription_id} is gone`)
      subscription = null
      tenant = (await queries.getTenant(pubkey))!
    }
    const items = await this.desiredItems(pubkey)
    if (items.length === 0) {
      if (subscription) {
        await this.gateway.cancelSubscription(subscription.id)
        await this.setSubscription(pubkey, null, `subscription ${subscription.id} cancelled: no paid relay left`)
      }
      return
    }
    if (!subscription) {
      // A new subscription only for relays being served: a tenant whose paid relays are all suspended starts
      // paying again by settling the open invoice, which reactivates them.
      if (!(await queries.hasActivePaidRelays(pubkey))) return
      const created = await this.gateway.createSubscription(pubkey, customer, items, tenant.billing_revision)
      await this.setSubscription(pubkey, created.id, `subscription ${created.id} created`)
    } else {
      await this.gateway.updateSubscriptionItems(subscription, items)
    }
  }
}
