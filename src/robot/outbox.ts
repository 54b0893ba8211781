// The notification outbox: `record` stores a notification under its stable id (a second record of the same id is
// a no-op, so duplicates and restarts never resend), and a worker delivers pending ones, retrying failures with
// exponential backoff up to a bounded number of attempts and keeping the last error. Start-up picks up whatever
// was pending, at the time its backoff allows; a periodic sweep catches anything missed.
import type { Logger } from 'pino'
import type { Database } from '../db/database.js'
import type { NotificationTable } from '../db/schema.js'
import { retryDelayMs } from '../workers/backoff.js'
import { realClock, type Clock } from '../workers/clock.js'
import { KeyedQueue } from '../workers/keyed-queue.js'
import { RetryTimers } from '../workers/retry-timers.js'
import type { DeliveryOutcome } from './direct-message.js'
import type { Notification } from './texts.js'

export type NotificationRow = NotificationTable

/** Reads and writes of the `notification` table (each read compiled once; the retry walk uses its index). */
export class NotificationStore {
  private readonly getStmt
  private readonly dueStmt

  constructor(private readonly db: Database) {
    this.getStmt = db.preparedOne<[id: string], NotificationRow>((q, p) => q.selectFrom('notification').selectAll().where('id', '=', p(0)))
    // Pending notifications due by `before`, keyset on (next_attempt_at, id): served by the partial index.
    this.dueStmt = db.preparedPage<[before: number, afterAt: number, afterId: string], NotificationRow>((q, p, limit) =>
      q
        .selectFrom('notification')
        .selectAll()
        .where('next_attempt_at', '<=', p(0))
        .where((eb) => eb(eb.refTuple('next_attempt_at', 'id'), '>', eb.tuple(p(1), p(2))))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit),
    )
  }

  get(id: string): Promise<NotificationRow | undefined> {
    return this.getStmt(id)
  }

  listDue(before: number, after: { at: number; id: string } | undefined, limit: number): Promise<NotificationRow[]> {
    return this.dueStmt(limit, before, after?.at ?? -1, after?.id ?? '')
  }

  /** True when recorded now; false when this id was recorded before (nothing changes). */
  insert(n: Notification, now: number): Promise<boolean> {
    return this.db.transaction(
      async (tx) =>
        await tx.run(
          tx.q
            .insertInto('notification')
            .values({ id: n.id, recipient: n.recipient, kind: n.kind, text: n.text, status: 'pending', created_at: now, attempts: 0, next_attempt_at: now })
            .onConflict((oc) => oc.column('id').doNothing()),
        ) === 1,
    )
  }

  /**
   * Takes the next attempt of a pending notification: counts it and moves its due time to when it would be retried
   * should this attempt never report back (a crash mid-send). True only for the one caller whose `attempts` still
   * matched, so two workers never send the same notification at once.
   */
  claim(id: string, attempts: number, retryAt: number): Promise<boolean> {
    return this.db.transaction(
      async (tx) =>
        await tx.run(
          tx.q
            .updateTable('notification')
            .set({ attempts: attempts + 1, next_attempt_at: retryAt })
            .where('id', '=', id)
            .where('status', '=', 'pending')
            .where('attempts', '=', attempts),
        ) === 1,
    )
  }

  /** Records an attempt's outcome, only while the row is still pending. */
  finish(id: string, attempts: number, change: Pick<NotificationRow, 'status' | 'sent_at' | 'next_attempt_at' | 'last_error'>): Promise<number> {
    return this.db.transaction(async (tx) =>
      await tx.run(tx.q.updateTable('notification').set({ ...change, attempts }).where('id', '=', id).where('status', '=', 'pending')),
    )
  }
}

export type Deliver = (recipient: string, text: string) => Promise<DeliveryOutcome>

export interface OutboxOptions {
  clock?: Clock
  /** Delivery attempts before a notification is given up (status `failed`). */
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** How often to look for due notifications anyway. 0 = never. */
  sweepEveryMs?: number
  concurrency?: number
}

export class NotificationOutbox {
  readonly store: NotificationStore
  private readonly clock: Clock
  private readonly maxAttempts: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly sweepEveryMs: number
  private readonly queue: KeyedQueue
  private readonly retries: RetryTimers
  private sweepTimer: unknown
  private stopped = true

  constructor(
    db: Database,
    private readonly deliver: Deliver,
    private readonly log: Logger,
    options: OutboxOptions = {},
  ) {
    this.store = new NotificationStore(db)
    this.clock = options.clock ?? realClock
    this.maxAttempts = options.maxAttempts ?? 8
    this.baseDelayMs = options.baseDelayMs ?? 30_000
    this.maxDelayMs = options.maxDelayMs ?? 900_000
    this.sweepEveryMs = options.sweepEveryMs ?? 5 * 60_000
    this.retries = new RetryTimers(this.clock)
    this.queue = new KeyedQueue(
      (id) => this.deliverOnce(id),
      (err, id) => this.log.error({ err, notification: id }, 'notification delivery crashed'),
      options.concurrency ?? 8,
    )
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000)
  }

  /** Picks up every pending notification (now, or when its backoff allows) and sweeps periodically. */
  async start(): Promise<void> {
    this.stopped = false
    this.queue.resume()
    await this.sweep(Number.MAX_SAFE_INTEGER)
    this.scheduleSweep()
  }

  stop(): void {
    this.stopped = true
    this.clock.clearTimeout(this.sweepTimer)
    this.retries.clear()
    this.queue.stop()
  }

  /** Resolves when no delivery is queued or running (retries may still be scheduled). */
  idle(): Promise<void> {
    return this.queue.idle()
  }

  /** Notifications with a retry timer set. */
  get scheduled(): string[] {
    return this.retries.keys
  }

  /**
   * Records a notification and queues its delivery. The same id again is a no-op (returns false): a cause is
   * notified once, whatever the retries, duplicates and restarts upstream.
   */
  async notify(n: Notification): Promise<boolean> {
    const recorded = await this.store.insert(n, this.nowSeconds())
    if (recorded && !this.stopped) this.queue.request(n.id)
    return recorded
  }

  /** Walks pending notifications due by `before` (unix seconds): queue the due ones, time the others. */
  async sweep(before = this.nowSeconds()): Promise<number> {
    let after: { at: number; id: string } | undefined
    let count = 0
    for (;;) {
      const page = await this.store.listDue(before, after, 200)
      if (page.length === 0) break
      for (const row of page) {
        if (this.queue.isBusy(row.id) || this.retries.has(row.id)) continue
        this.schedule(row.id, row.next_attempt_at! * 1000 - this.clock.now())
        count++
      }
      const last = page[page.length - 1]!
      after = { at: last.next_attempt_at!, id: last.id }
    }
    return count
  }

  private scheduleSweep(): void {
    if (this.sweepEveryMs <= 0 || this.stopped) return
    this.sweepTimer = this.clock.setTimeout(() => {
      this.sweep()
        .catch((err) => this.log.error({ err }, 'notification sweep failed'))
        .finally(() => this.scheduleSweep())
    }, this.sweepEveryMs)
  }

  private schedule(id: string, delayMs: number): void {
    if (this.stopped) return
    if (delayMs <= 0) {
      this.queue.request(id)
      return
    }
    this.retries.schedule(id, delayMs, () => {
      if (!this.stopped) this.queue.request(id)
    })
  }

  private async deliverOnce(id: string): Promise<void> {
    const row = await this.store.get(id)
    if (!row || row.status !== 'pending') return
    const attempts = row.attempts + 1
    const retryAt = Math.ceil((this.clock.now() + retryDelayMs(attempts, this.baseDelayMs, this.maxDelayMs)) / 1000)
    if (!(await this.store.claim(id, row.attempts, retryAt))) return
    const context = { notification: id, kind: row.kind, recipient: row.recipient, attempt: attempts }
    let outcome: DeliveryOutcome
    try {
      outcome = await this.deliver(row.recipient, row.text)
    } catch (err) {
      outcome = { status: 'failed', error: `delivery: ${(err as Error).message ?? 'failed'}`.slice(0, 500), permanent: false }
    }
    const now = this.nowSeconds()
    if (outcome.status === 'sent') {
      await this.store.finish(id, attempts, { status: 'sent', sent_at: now, next_attempt_at: null, last_error: row.last_error })
      this.log.info({ ...context, relays: outcome.relays }, 'direct message sent')
    } else if (outcome.status === 'no-dm-relays') {
      await this.store.finish(id, attempts, { status: 'no-dm-relays', sent_at: null, next_attempt_at: null, last_error: 'no-dm-relays' })
      this.log.warn(context, 'recipient has no NIP-17 DM relays (no kind 10050 found): notification not sent')
    } else if (outcome.permanent || attempts >= this.maxAttempts) {
      await this.store.finish(id, attempts, { status: 'failed', sent_at: null, next_attempt_at: null, last_error: outcome.error })
      this.log.error({ ...context, error: outcome.error }, 'direct message not delivered; giving up')
    } else {
      const delay = retryDelayMs(attempts, this.baseDelayMs, this.maxDelayMs)
      await this.store.finish(id, attempts, { status: 'pending', sent_at: null, next_attempt_at: Math.ceil((this.clock.now() + delay) / 1000), last_error: outcome.error })
      this.log.warn({ ...context, error: outcome.error, retryInMs: delay }, 'direct message not delivered; will retry')
      this.schedule(id, delay)
    }
  }
}
