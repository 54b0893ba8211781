// The grace period: a tenant past due for longer than BILLING_GRACE_DAYS has every active paid relay marked
// delinquent (the relay sync then stops serving it). Relays the tenant deactivated are left as they are.
import { nowSeconds } from '../platform/ids.js'
import type { Platform } from '../platform/platform.js'

export async function suspendTenantIfGraceOver(platform: Platform, pubkey: string, graceDays: number, now = nowSeconds()): Promise<number> {
  const tenant = await platform.queries.getTenant(pubkey)
  if (!tenant || tenant.past_due_at === null || tenant.past_due_at > now - graceDays * 86_400) return 0
  let suspended = 0
  for (const relay of await platform.queries.listRelaysForTenantByStatus(pubkey, 'active')) {
    if ((platform.plans.get(relay.plan)?.amount ?? 0) > 0 && (await platform.commands.markRelayDelinquent(relay.id))) suspended++
  }
  return suspended
}

/** Every tenant whose grace period is over (keyset over the past-due index). */
export async function suspendPastDueTenants(platform: Platform, graceDays: number, now = nowSeconds()): Promise<number> {
  const cutoff = now - graceDays * 86_400
  let suspended = 0
  let after: { at: number; pubkey: string } | undefined
  for (;;) {
    const page = await platform.queries.listTenantsPastDueBefore(cutoff, after, 200)
    if (page.length === 0) break
    for (const tenant of page) {
      if (await platform.queries.hasActivePaidRelays(tenant.pubkey)) suspended += await suspendTenantIfGraceOver(platform, tenant.pubkey, graceDays, now)
    }
    const last = page[page.length - 1]!
    after = { at: last.past_due_at!, pubkey: last.pubkey }
  }
  return suspended
}
