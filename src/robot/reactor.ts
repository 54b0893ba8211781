// Relay activity → the tenant's DM: relay ready (the first `complete_relay_sync` of a relay), relay suspended
// (`mark_relay_delinquent`), relay reactivated (`activate_relay` because a payment was received). Each under a
// stable id, so a replayed or duplicated activity records nothing new.
import type { Database } from '../db/database.js'
import type { ActivityRow } from '../db/schema.js'
import type { Platform } from '../platform/platform.js'
import { relayUrlFor } from '../platform/views.js'
import { notificationIds, texts, type Notification } from './texts.js'

export const PAYMENT_RECEIVED = 'payment received'

/** Is there a `complete_relay_sync` of this relay older than the given activity? (the relay's activity index) */
export function earlierRelaySyncQuery(db: Database) {
  return db.preparedOne<[relayId: string, createdAt: number, activityId: string], { one: number }>((q, p) =>
    q
      .selectFrom('activity')
      .select((eb) => eb.lit(1).as('one'))
      .where('resource_type', '=', 'relay')
      .where('resource_id', '=', p(0))
      .where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(p(1), p(2))))
      .where('activity_type', '=', 'complete_relay_sync')
      .limit(1),
  )
}

export class ActivityNotifier {
  private readonly earlierSync
  private readonly urlFor: (subdomain: string) => string

  constructor(
    private readonly platform: Platform,
    private readonly notify: (n: Notification) => Promise<boolean>,
  ) {
    this.earlierSync = earlierRelaySyncQuery(platform.db)
    this.urlFor = relayUrlFor(platform.config.relayDomain, platform.config.engine.port)
  }

  /** The notification this activity calls for, if any (not yet recorded). */
  async notificationFor(activity: ActivityRow): Promise<Notification | undefined> {
    if (activity.resource_type !== 'relay') return undefined
    const relayId = activity.resource_id
    const type = activity.activity_type
    if (type !== 'complete_relay_sync' && type !== 'mark_relay_delinquent' && !(type === 'activate_relay' && activity.detail === PAYMENT_RECEIVED)) {
      return undefined
    }
    const relay = await this.platform.queries.getRelay(relayId)
    if (!relay) return undefined
    const url = this.urlFor(relay.subdomain)
    const recipient = relay.tenant
    if (type === 'complete_relay_sync') {
      if (activity.relay_status !== 'active') return undefined
      if (await this.earlierSync(relayId, activity.created_at, activity.id)) return undefined
      return { id: notificationIds.relayReady(relayId), recipient, kind: 'relay-ready', text: texts.relayReady(url, relay.info_name || undefined) }
    }
    if (type === 'mark_relay_delinquent') {
      return { id: notificationIds.suspended(relayId, activity.id), recipient, kind: 'relay-suspended', text: texts.relaySuspended(url, this.platform.config.appUrl) }
    }
    return { id: notificationIds.reactivated(relayId, activity.id), recipient, kind: 'relay-reactivated', text: texts.relayReactivated(url) }
  }

  async onActivity(activity: ActivityRow): Promise<void> {
    const notification = await this.notificationFor(activity)
    if (notification) await this.notify(notification)
  }
}
