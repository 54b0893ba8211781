// Past-due reminders: while a tenant's `past_due_at` is set (and has been for a day: the first day is covered by
// the payment-due DM), one reminder per UTC day, id `past-due:<tenant>:<day>`. Walks the past-due index
// (`listTenantsPastDueBefore`), so the check costs nothing when nobody is past due.
import type { Platform } from '../platform/platform.js'
import { notificationIds, texts, utcDay, type Notification } from './texts.js'

const DAY = 86_400

export async function remindPastDueTenants(platform: Platform, notify: (n: Notification) => Promise<boolean>, now: number): Promise<number> {
  const graceSeconds = platform.config.billingGraceDays * DAY
  let recorded = 0
  let after: { at: number; pubkey: string } | undefined
  for (;;) {
    const page = await platform.queries.listTenantsPastDueBefore(now - DAY, after, 200)
    if (page.length === 0) break
    for (const tenant of page) {
      const since = tenant.past_due_at!
      const suspendsAt = since + graceSeconds > now ? since + graceSeconds : undefined
      const n: Notification = {
        id: notificationIds.pastDue(tenant.pubkey, utcDay(now)),
        recipient: tenant.pubkey,
        kind: 'past-due',
        text: texts.pastDue(platform.config.appUrl, since, suspendsAt),
      }
      if (await notify(n)) recorded++
    }
    const last = page[page.length - 1]!
    after = { at: last.past_due_at!, pubkey: last.pubkey }
  }
  return recorded
}
