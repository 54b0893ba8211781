// The activity bus across instances (PostgreSQL). Every activity row is announced with NOTIFY inside the
// transaction that writes it (`Commands.write`), and PostgreSQL delivers a NOTIFY only on commit, in commit order:
// a listening instance never sees a rolled-back change, and never sees a later commit before an earlier one. This
// feed listens on a dedicated connection and publishes what it hears on the local bus (which drops the echo of
// this instance's own activity by id). On every (re)connection it catches up from the table: notifications sent
// while it was not listening are gone, so it re-reads the activity written since a little before it last heard
// anything. Activity ids begin with their writer's clock in milliseconds, and a row may commit a while after its
// id was taken (or on a machine whose clock is a little behind), so the catch-up starts a margin earlier and
// relies on the bus to drop what was already delivered.
import type { Logger } from 'pino'
import type { Database } from '../db/database.js'
import { PostgresListener } from '../db/postgres-listener.js'
import type { PostgresDatabase } from '../db/postgres.js'
import type { ActivityRow } from '../db/schema.js'
import type { ActivityBus } from './activity-bus.js'

export const ACTIVITY_CHANNEL = 'caravel_activity'
export const SIGNAL_CHANNEL = 'caravel_signal'
/** How far before the last activity heard the catch-up starts re-reading (commit lag and clock skew). */
export const CATCH_UP_MARGIN_MS = 60_000
// NOTIFY payloads are limited to 8000 bytes; a larger row is announced by id and read from the table.
const MAX_PAYLOAD = 7000

/** The payload announcing an activity row. */
export function activityPayload(row: ActivityRow): string {
  const full = JSON.stringify(row)
  return full.length <= MAX_PAYLOAD ? full : JSON.stringify({ id: row.id })
}

/** The smallest id written at or after `ms` (activity ids start with 12 hex digits of milliseconds). */
export function activityIdFloor(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0')
}

export function activityAfterQuery(db: Database) {
  return db.preparedPage<[afterId: string], ActivityRow>((q, p, limit) =>
    q.selectFrom('activity').selectAll().where('id', '>', p(0)).orderBy('id').limit(limit),
  )
}

export class ActivityFeed {
  private readonly listener: PostgresListener
  private readonly after
  private readonly byId
  /** Time (by this clock) of the newest activity heard: the next catch-up starts a margin before it. */
  private heardUpTo: number

  constructor(
    private readonly db: PostgresDatabase,
    private readonly bus: ActivityBus,
    private readonly log: Logger,
    instance: string,
    private readonly now: () => number = Date.now,
  ) {
    this.heardUpTo = now()
    this.after = activityAfterQuery(db)
    this.byId = db.preparedOne<[id: string], ActivityRow>((q, p) => q.selectFrom('activity').selectAll().where('id', '=', p(0)))
    this.listener = new PostgresListener({
      url: db.url,
      applicationName: `caravel-feed ${instance}`,
      channels: [ACTIVITY_CHANNEL, SIGNAL_CHANNEL],
      log,
      onNotification: (channel, payload) => this.onNotification(channel, payload),
      onConnect: async () => {
        await this.catchUp()
      },
    })
  }

  /** Listens, then catches up on what was committed since shortly before this instance started. */
  async start(): Promise<void> {
    this.bus.remoteSignal = (name) => {
      this.db.notify(SIGNAL_CHANNEL, name).catch((err) => this.log.warn({ err: (err as Error).message, signal: name }, 'signal not sent'))
    }
    await this.listener.start()
  }

  async close(): Promise<void> {
    this.bus.remoteSignal = undefined
    await this.listener.close()
  }

  /** Re-reads activity from a margin before the last one heard and publishes it (the bus drops repeats). */
  async catchUp(): Promise<number> {
    const startedAt = this.now()
    let cursor = activityIdFloor(this.heardUpTo - CATCH_UP_MARGIN_MS)
    let published = 0
    for (;;) {
      const page = await this.after(500, cursor)
      for (const row of page) if (this.bus.publish(row)) published++
      if (page.length < 500) break
      cursor = page[page.length - 1]!.id
    }
    this.heardUpTo = Math.max(this.heardUpTo, startedAt)
    return published
  }

  private onNotification(channel: string, payload: string): void {
    if (channel === SIGNAL_CHANNEL) {
      this.bus.deliverSignal(payload)
      return
    }
    let row: Partial<ActivityRow>
    try {
      row = JSON.parse(payload) as Partial<ActivityRow>
    } catch {
      return
    }
    this.heardUpTo = Math.max(this.heardUpTo, this.now())
    if (row.activity_type !== undefined) {
      this.bus.publish(row as ActivityRow)
      return
    }
    if (row.id) {
      void this.byId(row.id)
        .then((full) => full && this.bus.publish(full))
        .catch((err) => this.log.warn({ err: (err as Error).message, activity: row.id }, 'announced activity not read'))
    }
  }
}
