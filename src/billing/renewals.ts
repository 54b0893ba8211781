// Renewal reminders: a few days before a paid period renews, a tenant with no working way to pay — no card on
// file in Stripe, and no wallet (or a wallet whose last auto-pay failed) — is told by the robot, once per period.
import type { Platform } from '../platform/platform.js'
import type { StripeGateway } from './stripe-gateway.js'

export const RENEWAL_REMINDER_DAYS = 3
const GONE = new Set(['canceled', 'incomplete_expired'])

export interface RenewalNotice {
  tenant: string
  subscriptionId: string
  renewsAt: number
  amountCents: number
}

export async function remindRenewals(
  platform: Platform,
  gateway: StripeGateway,
  notify: (notice: RenewalNotice) => void,
  now: number,
  days = RENEWAL_REMINDER_DAYS,
): Promise<number> {
  let reminded = 0
  for (let after = ''; ; ) {
    const page = await platform.queries.listTenantsWithSubscription(after, 200)
    if (page.length === 0) break
    for (const tenant of page) {
      const subscription = await gateway.getSubscription(tenant.stripe_subscription_id!)
      if (!subscription || GONE.has(subscription.status) || subscription.cancel_at_period_end) continue
      const renewsAt = Math.min(...subscription.items.data.map((item) => item.current_period_end))
      if (!Number.isFinite(renewsAt) || renewsAt < now || renewsAt - now > days * 86_400) continue
      if (tenant.nwc_url && !tenant.nwc_error) continue
      if (tenant.stripe_customer_id && (await gateway.hasPaymentMethod(tenant.stripe_customer_id))) continue
      const amountCents = subscription.items.data.reduce((sum, item) => sum + (item.price.unit_amount ?? 0) * (item.quantity ?? 1), 0)
      notify({ tenant: tenant.pubkey, subscriptionId: subscription.id, renewsAt, amountCents })
      reminded++
    }
    after = page[page.length - 1]!.stripe_subscription_id!
  }
  return reminded
}
