// Worker leases: with several `caravel serve` instances on one database, each background worker (relay sync,
// billing, the robot, sweepers) runs in exactly one of them. A lease is a row in `worker_lease`; taking or renewing
// it is one conditional upsert — atomic on SQLite and PostgreSQL alike — that succeeds only for the current holder
// or once the row has expired. The holder renews well before expiry; an instance that dies stops renewing and
// another takes over after the TTL. On SQLite the one instance simply holds every lease, through the same code.
import { hostname } from 'node:os'
import type { Logger } from 'pino'
import type { Database } from '../db/database.js'
import { randomId } from '../platform/ids.js'
import { realClock, type Clock } from './clock.js'

/** An id for this process among the instances sharing the database (in logs and in `worker_lease.holder`). */
export function instanceId(): string {
  return `${hostname()}:${process.pid}:${randomId().slice(0, 8)}`
}

/** The `worker_lease` table, as seen by one instance. */
export class LeaseStore {
  constructor(
    private readonly db: Database,
    readonly holder: string,
  ) {}

  /** Takes or renews `name` until `now + ttlMs`; true when this instance holds it afterwards. */
  async acquire(name: string, now: number, ttlMs: number): Promise<boolean> {
    const holder = this.holder
    const changed = await this.db.transaction(async (tx) =>
      await tx.run(
        tx.q
          .insertInto('worker_lease')
          .values({ name, holder, expires_at: now + ttlMs })
          .onConflict((oc) =>
            oc
              .column('name')
              .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), expires_at: eb.ref('excluded.expires_at') }))
              .where((eb) => eb.or([eb('worker_lease.holder', '=', holder), eb('worker_lease.expires_at', '<=', now)])),
          ),
      ),
    )
    return changed === 1
  }

  /** Gives the lease up at once (a clean stop), so another instance need not wait for it to expire. */
  async release(name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(tx.q.updateTable('worker_lease').set({ expires_at: 0 }).where('name', '=', name).where('holder', '=', this.holder))
    })
  }

  /** Who holds what (operators, tests). */
  list(): Promise<{ name: string; holder: string; expires_at: number }[]> {
    return this.db.all(this.db.q.selectFrom('worker_lease').selectAll().orderBy('name'))
  }
}

export interface LeaseOptions {
  /** Lease lifetime; another instance takes over this long after the holder's last renewal. */
  ttlMs?: number
  /** How often the holder renews (and a waiting instance tries to take over). Well under `ttlMs`. */
  renewEveryMs?: number
  clock?: Clock
  log?: Logger
}

export const LEASE_TTL_MS = 30_000
export const LEASE_RENEW_MS = 10_000

/**
 * One named lease, kept by a loop: `onAcquired` runs when this instance becomes the holder (start the worker's
 * own schedule: reconcile, timers), `onLost` when it stops being the holder (stop them; work in flight finishes,
 * and is idempotent anyway).
 */
export class Lease {
  private holding = false
  private heldUntil = 0
  private timer: unknown
  private stopped = true
  private attempting: Promise<boolean> | undefined
  private readonly ttlMs: number
  private readonly renewEveryMs: number
  private readonly clock: Clock
  private onAcquired: () => void | Promise<void> = () => {}
  private onLost: () => void = () => {}

  constructor(
    private readonly store: LeaseStore,
    readonly name: string,
    private readonly options: LeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? LEASE_TTL_MS
    this.renewEveryMs = options.renewEveryMs ?? LEASE_RENEW_MS
    this.clock = options.clock ?? realClock
    if (this.renewEveryMs * 2 > this.ttlMs) throw new Error(`lease ${name}: renew at most every ttl/2`)
  }

  /** True while this instance holds the lease: the worker may start work. */
  get held(): boolean {
    return this.holding
  }

  /** Starts the loop; resolves after the first attempt, with `onAcquired` done when it succeeded. */
  async start(hooks: { onAcquired?: () => void | Promise<void>; onLost?: () => void } = {}): Promise<boolean> {
    this.onAcquired = hooks.onAcquired ?? (() => {})
    this.onLost = hooks.onLost ?? (() => {})
    this.stopped = false
    const held = await this.attempt()
    this.schedule()
    return held
  }

  /** Stops the loop; a holder releases the row so another instance takes over at once. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true
    this.clock.clearTimeout(this.timer)
    await this.attempting?.catch(() => undefined)
    this.lose()
    if (options.release !== false) await this.store.release(this.name).catch(() => undefined)
  }

  /** One take-or-renew (the loop calls it; tests drive it with a manual clock). */
  attempt(): Promise<boolean> {
    this.attempting ??= this.tryOnce().finally(() => (this.attempting = undefined))
    return this.attempting
  }

  private async tryOnce(): Promise<boolean> {
    const now = this.clock.now()
    let ok: boolean
    try {
      ok = await this.store.acquire(this.name, now, this.ttlMs)
    } catch (err) {
      // The database is unreachable: keep acting only while the lease we last wrote is surely still ours.
      this.options.log?.warn({ lease: this.name, err: (err as Error).message }, 'lease renewal failed')
      if (this.holding && this.clock.now() >= this.heldUntil - this.renewEveryMs) this.lose()
      return this.holding
    }
    if (this.stopped) return false
    if (!ok) {
      this.lose()
      return false
    }
    this.heldUntil = now + this.ttlMs
    if (!this.holding) {
      this.holding = true
      this.options.log?.info({ lease: this.name, holder: this.store.holder }, 'worker lease acquired')
      await this.onAcquired()
    }
    return true
  }

  private lose(): void {
    if (!this.holding) return
    this.holding = false
    this.options.log?.warn({ lease: this.name, holder: this.store.holder }, 'worker lease lost')
    this.onLost()
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.clock.setTimeout(() => {
      this.attempt()
        .catch((err) => this.options.log?.error({ lease: this.name, err }, 'starting the leased worker failed'))
        .finally(() => this.schedule())
    }, this.renewEveryMs)
  }
}
