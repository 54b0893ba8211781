// The robot, assembled: it publishes its profile and lists, turns relay activity and billing events into
// notifications, and delivers them as NIP-17 DMs through the outbox. Started and stopped with the server.
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Platform } from '../platform/platform.js'
import { realClock, type Clock } from '../workers/clock.js'
import { DirectMessages } from './direct-message.js'
import { DmRelayResolver } from './dm-relays.js'
import { RelayGateway, type NostrRelays, type RelayRoute } from './nostr-relays.js'
import { NotificationOutbox, type OutboxOptions } from './outbox.js'
import { remindPastDueTenants } from './past-due.js'
import { ProfilePublisher, type PublishReport } from './profile.js'
import { ProfileDirectory } from './profiles.js'
import { ActivityNotifier } from './reactor.js'
import { activityAfterQuery, activityIdFloor } from '../platform/activity-feed.js'
import { KIND_PROFILE, newestReplaceable } from './lists.js'
import { notificationIds, texts, type Notification } from './texts.js'
import { Lease } from '../workers/lease.js'

export interface RobotOptions {
  clock?: Clock
  /** The relay gateway (tests may pass another implementation). */
  relays?: NostrRelays
  /** Per relay step: connect, EOSE, OK, AUTH. */
  relayTimeoutMs?: number
  foundTtlMs?: number
  notFoundTtlMs?: number
  outbox?: Omit<OutboxOptions, 'clock'>
  /** How often to look for past-due tenants to remind. 0 = only when `remindPastDue` is called. */
  remindEveryMs?: number
  /** Where what was last published is kept; default `<DATA_DIR>/robot-lists.json`. */
  statePath?: string
  /** With several instances, the one holding `robot` delivers DMs and runs the robot's schedule. */
  lease?: Lease
  profiles?: { freshSeconds?: number; waitMs?: number }
}

/**
 * The relays Caravel hosts (`<sub>.<RELAY_DOMAIN>`) are reached at the address of the engine serving them (their
 * stored placement) with the relay's `Host`, as the reverse proxy would, so the robot needs neither DNS nor TLS
 * for them.
 */
export function hostedRelayRoute(platform: Pick<Platform, 'config' | 'queries' | 'engines'>): RelayRoute {
  const suffix = `.${platform.config.relayDomain}`
  const addressOf = (engine: { url: string }) => {
    const url = new URL(engine.url)
    return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/`
  }
  return async (url) => {
    let hostname: string
    try {
      hostname = new URL(url).hostname.toLowerCase()
    } catch {
      return undefined
    }
    if (!hostname.endsWith(suffix)) return undefined
    const placed = await platform.queries.getRelayEngineBySubdomain(hostname.slice(0, -suffix.length))
    return addressOf((placed ? platform.engines.get(placed) : undefined) ?? platform.engines.first)
  }
}

/** How far back a new lease holder looks for activity its predecessor may not have acted on (lease TTL + margin). */
export const ROBOT_REPLAY_WINDOW_MS = 5 * 60_000

/** Wakes the outbox where the robot's lease is held (a notice was recorded on another instance). */
export const OUTBOX_SIGNAL = 'robot-outbox'

export class Robot {
  readonly relays: NostrRelays
  readonly resolver: DmRelayResolver
  readonly messages: DirectMessages
  readonly outbox: NotificationOutbox
  readonly profile: ProfilePublisher
  /** Names and pictures of relay members. */
  readonly profiles: ProfileDirectory
  private readonly notifier: ActivityNotifier
  private readonly recentActivity: ReturnType<typeof activityAfterQuery>
  readonly lease: Lease
  private unsignal: (() => void) | undefined
  private readonly clock: Clock
  private readonly log: Logger
  private readonly remindEveryMs: number
  private readonly inFlight = new Set<Promise<unknown>>()
  private unsubscribe: (() => void) | undefined
  private remindTimer: unknown
  private publishTimer: unknown
  private publishFailures = 0
  private stopped = true

  constructor(
    private readonly platform: Platform,
    options: RobotOptions = {},
  ) {
    const { config, robot } = platform
    this.clock = options.clock ?? realClock
    this.log = platform.log.child({ component: 'robot' })
    this.remindEveryMs = options.remindEveryMs ?? 3600_000
    this.relays = options.relays ?? new RelayGateway({ timeoutMs: options.relayTimeoutMs, route: hostedRelayRoute(platform) })
    this.resolver = new DmRelayResolver(this.relays, {
      indexerRelays: config.robot.indexerRelays,
      clock: this.clock,
      foundTtlMs: options.foundTtlMs,
      notFoundTtlMs: options.notFoundTtlMs,
      auth: robot.sign,
    })
    this.messages = new DirectMessages(robot, this.relays, this.resolver)
    this.outbox = new NotificationOutbox(platform.db, (recipient, text) => this.messages.send(recipient, text), this.log, {
      ...options.outbox,
      clock: this.clock,
    })
    this.profile = new ProfilePublisher(robot, this.relays, {
      profile: config.robot,
      indexerRelays: config.robot.indexerRelays,
      statePath: options.statePath ?? join(config.dataDir, 'robot-lists.json'),
      log: this.log,
      clock: this.clock,
    })
    this.notifier = new ActivityNotifier(platform, (n) => this.notify(n))
    this.recentActivity = activityAfterQuery(platform.db)
    this.lease = options.lease ?? new Lease(platform.leases, 'robot', { log: this.log })
    this.profiles = new ProfileDirectory(platform.db, this.relays, {
      indexerRelays: config.robot.indexerRelays,
      auth: robot.sign,
      log: this.log,
      clock: this.clock,
      ...options.profiles,
    })
  }

  /**
   * Activity of the last few minutes, through the notifier again: what happened while another instance held the
   * lease and died before acting on it. Notices are keyed by cause, so what was already recorded records nothing.
   */
  async replayRecentActivity(windowMs = ROBOT_REPLAY_WINDOW_MS): Promise<void> {
    let cursor = activityIdFloor(this.clock.now() - windowMs)
    for (;;) {
      const page = await this.recentActivity(500, cursor)
      for (const activity of page) await this.notifier.onActivity(activity)
      if (page.length < 500) return
      cursor = page[page.length - 1]!.id
    }
  }

  /** Subscribes to relay activity, resumes pending notifications, and publishes the profile in the background. */
  async start(): Promise<void> {
    this.stopped = false
    if (this.platform.config.robot.indexerRelays.length === 0) {
      this.log.warn('ROBOT_INDEXER_RELAYS is not set: the robot cannot find where to deliver DMs; notifications are recorded as failed')
    }
    this.unsubscribe = this.platform.bus.subscribe((activity) => {
      if (this.lease.held) void this.track(this.notifier.onActivity(activity))
    })
    this.unsignal = this.platform.bus.onSignal(OUTBOX_SIGNAL, () => {
      if (this.lease.held) void this.track(this.outbox.sweep())
    })
    await this.lease.start({
      onAcquired: async () => {
        await this.outbox.start()
        void this.track(this.replayRecentActivity())
        void this.track(this.publishProfile())
        void this.track(this.remindLoop())
      },
      onLost: () => {
        this.clock.clearTimeout(this.remindTimer)
        this.clock.clearTimeout(this.publishTimer)
        this.outbox.stop()
      },
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    this.unsignal?.()
    this.clock.clearTimeout(this.remindTimer)
    this.clock.clearTimeout(this.publishTimer)
    this.outbox.stop()
    await this.lease.stop()
  }

  /** Resolves when nothing the robot started is still running (scheduled retries may remain). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    await this.outbox.idle()
  }

  /** Records a notification under its stable id and delivers it; the same id again is a no-op (false). */
  notify(n: Notification): Promise<boolean> {
    // Tracked, so `idle()` also waits for notices recorded from billing hooks that nobody awaits. Recorded on an
    // instance that does not deliver (no lease), the holder is woken to deliver it.
    return this.track(this.outbox.notify(n)).then((recorded) => {
      if (recorded && !this.stopped && !this.lease.held) this.platform.bus.signal(OUTBOX_SIGNAL)
      return recorded === true
    })
  }

  /** Billing: an invoice is open and waits for payment (Lightning or card) — links to the dashboard. */
  paymentDue(p: { tenant: string; invoiceId: string; amountCents?: number }): Promise<boolean> {
    return this.notify({
      id: notificationIds.paymentDue(p.invoiceId),
      recipient: p.tenant,
      kind: 'payment-due',
      text: texts.paymentDue(this.platform.config.appUrl, p.amountCents),
    })
  }

  /**
   * Lightning: paying an invoice from the tenant's wallet failed. `attempt` tells attempts of one invoice apart
   * (e.g. the bolt11 revision); the reason is cleaned of anything secret-looking and the text kept ≤ 240 chars.
   */
  autopayFailed(p: { tenant: string; invoiceId: string; attempt: number | string; reason: string }): Promise<boolean> {
    return this.notify({
      id: notificationIds.autopayFailed(p.invoiceId, p.attempt),
      recipient: p.tenant,
      kind: 'autopay-failed',
      text: texts.autopayFailed(p.reason),
    })
  }

  /** The person's display name from their kind 0 on the indexer relays, when it can be found quickly. */
  async displayName(pubkey: string): Promise<string | undefined> {
    const indexers = this.platform.config.robot.indexerRelays
    if (indexers.length === 0) return undefined
    const { events } = await this.relays.fetch(indexers, { kinds: [KIND_PROFILE], authors: [pubkey], limit: 5 })
    const profile = newestReplaceable(events, pubkey, KIND_PROFILE)
    if (!profile) return undefined
    try {
      const content = JSON.parse(profile.content) as { display_name?: unknown; name?: unknown }
      const name = [content.display_name, content.name].find((v): v is string => typeof v === 'string' && v.trim() !== '')
      return name?.trim().slice(0, 100)
    } catch {
      return undefined
    }
  }

  /** Billing: the card needs the customer's action (3-D Secure…): the hosted invoice page takes it. */
  paymentActionRequired(p: { tenant: string; invoiceId: string; hostedUrl: string }): Promise<boolean> {
    return this.notify({
      id: notificationIds.paymentAction(p.invoiceId),
      recipient: p.tenant,
      kind: 'payment-action',
      text: texts.paymentAction(p.hostedUrl),
    })
  }

  /** Billing: a paid period renews soon and the tenant has no working way to pay; once per subscription period. */
  renewalSoon(p: { tenant: string; subscriptionId: string; renewsAt: number; amountCents: number }): Promise<boolean> {
    return this.notify({
      id: notificationIds.renewal(p.subscriptionId, p.renewsAt),
      recipient: p.tenant,
      kind: 'renewal-reminder',
      text: texts.renewalSoon(this.platform.config.appUrl, p.renewsAt, p.amountCents),
    })
  }

  /** Records today's reminder for every tenant past due for a day or more; returns how many were new. */
  remindPastDue(now = Math.floor(this.clock.now() / 1000)): Promise<number> {
    return remindPastDueTenants(this.platform, (n) => this.notify(n), now)
  }

  /** Publishes kind 0, 10002 and 10050 where changed; retried with backoff while a list could not be published. */
  async publishProfile(): Promise<PublishReport> {
    this.clock.clearTimeout(this.publishTimer)
    const report = await this.profile.publish()
    if (report.failed.length > 0 && !this.stopped) {
      this.publishFailures++
      const delay = Math.min(3600_000, 60_000 * 2 ** (this.publishFailures - 1))
      this.publishTimer = this.clock.setTimeout(() => void this.track(this.publishProfile()), delay)
    } else {
      this.publishFailures = 0
    }
    return report
  }

  private async remindLoop(): Promise<void> {
    try {
      await this.remindPastDue()
    } catch (err) {
      this.log.error({ err }, 'past-due reminders failed')
    }
    if (this.remindEveryMs > 0 && !this.stopped && this.lease.held) {
      this.remindTimer = this.clock.setTimeout(() => void this.track(this.remindLoop()), this.remindEveryMs)
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.catch((err) => {
      this.log.error({ err }, 'robot task failed')
      return undefined as T
    })
    this.inFlight.add(tracked)
    void tracked.finally(() => this.inFlight.delete(tracked))
    return tracked
  }
}
