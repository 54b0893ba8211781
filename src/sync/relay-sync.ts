// The relay-sync reactor: pushes each relay change to the engine, records the outcome as activity, retries
// failures with exponential backoff counted from the relay's activity history, and reconciles every unsynced
// relay at start-up and periodically (so a missed or crashed sync converges).
import type { Logger } from 'pino'
import type { ActivityRow, RelayRow } from '../db/schema.js'
import { DomainError } from '../platform/errors.js'
import type { Platform } from '../platform/platform.js'
import { EngineError, type EngineRelayConfig } from './engine-client.js'
import { engineConfigFor } from './relay-config.js'
import { retryDelayMs } from '../workers/backoff.js'
import { realClock, type Clock } from '../workers/clock.js'
import { KeyedQueue } from '../workers/keyed-queue.js'
import { Lease } from '../workers/lease.js'
import { RetryTimers } from '../workers/retry-timers.js'

/** Activities that change what the engine should serve. */
export const SYNC_TRIGGERS = new Set(['create_relay', 'update_relay', 'activate_relay', 'deactivate_relay', 'mark_relay_delinquent', 'move_relay'])

/** A move that has shown no progress for this long is taken to have died with its process, and undone. */
export const MOVE_STALL_MS = 5 * 60_000

/** The engine config a relay should have now (the robot manages relays for the platform, with the operator's admins). */
export async function engineConfigOf(platform: Platform, relay: RelayRow): Promise<EngineRelayConfig> {
  return engineConfigFor(relay, {
    config: platform.config,
    admins: [...(await platform.listAdmins()), platform.robot.pubkey],
    memberLimit: platform.plans.get(relay.plan)?.members ?? null,
  })
}

export interface RelaySyncOptions {
  clock?: Clock
  /** Attempts before giving up until the next change or an admin's retry. */
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** Engine calls in flight at once (a start-up reconcile may find thousands of relays). */
  concurrency?: number
  /** How often to reconcile anyway, catching anything missed. 0 = never. */
  reconcileEveryMs?: number
  /** The lease that makes one instance of several the one that syncs (default: `relay-sync` on the platform's database). */
  lease?: Lease
}

export { retryDelayMs }

export class RelaySync {
  private readonly clock: Clock
  private readonly maxAttempts: number
  private readonly baseDelayMs: number
  private readonly maxDelayMs: number
  private readonly reconcileEveryMs: number
  private readonly log: Logger
  private readonly queue: KeyedQueue
  private readonly retries: RetryTimers
  readonly lease: Lease
  private unsubscribe: (() => void) | undefined
  private reconcileTimer: unknown
  private stopped = false

  constructor(
    private readonly platform: Platform,
    options: RelaySyncOptions = {},
  ) {
    this.clock = options.clock ?? realClock
    this.maxAttempts = options.maxAttempts ?? 6
    this.baseDelayMs = options.baseDelayMs ?? 30_000
    this.maxDelayMs = options.maxDelayMs ?? 900_000
    this.reconcileEveryMs = options.reconcileEveryMs ?? 60_000
    this.log = platform.log.child({ component: 'relay-sync' })
    this.retries = new RetryTimers(this.clock)
    this.lease = options.lease ?? new Lease(platform.leases, 'relay-sync', { log: this.log })
    this.queue = new KeyedQueue(
      (relayId) => this.syncOnce(relayId),
      (err, relayId) => this.log.error({ err, relay: relayId }, 'relay sync crashed'),
      options.concurrency ?? 16,
    )
  }

  /**
   * Subscribes to the bus and takes part in the `relay-sync` lease: while this instance holds it, it reacts to
   * relay activity, reconciles everything unsynced (at once, then periodically) and retries failures.
   */
  async start(): Promise<void> {
    this.stopped = false
    this.queue.resume()
    this.unsubscribe = this.platform.bus.subscribe((activity) => this.onActivity(activity))
    await this.lease.start({
      onAcquired: async () => {
        await this.reconcile()
        this.scheduleReconcile()
      },
      // Another instance syncs now; what runs here finishes (POST-once and PATCH make a repeat harmless).
      onLost: () => {
        this.clock.clearTimeout(this.reconcileTimer)
        this.retries.clear()
      },
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    this.clock.clearTimeout(this.reconcileTimer)
    this.retries.clear()
    this.queue.stop()
    await this.lease.stop()
  }

  /** Resolves when nothing is queued or running (retries may still be scheduled). */
  idle(): Promise<void> {
    return this.queue.idle()
  }

  /** Relays with a retry scheduled. */
  get scheduled(): string[] {
    return this.retries.keys
  }

  private onActivity(activity: ActivityRow): void {
    if (this.lease.held && activity.resource_type === 'relay' && SYNC_TRIGGERS.has(activity.activity_type)) this.request(activity.resource_id)
  }

  /** Asks for a sync as soon as a worker is free; a change during a sync makes it run again. */
  request(relayId: string): void {
    if (this.stopped) return
    this.retries.cancel(relayId)
    this.queue.request(relayId)
  }

  /** An admin's forced retry: syncs now, ignoring the backoff, and returns the relay afterwards. */
  async syncNow(relayId: string): Promise<RelayRow | undefined> {
    this.request(relayId)
    await this.queue.settled(relayId)
    return this.platform.queries.getRelay(relayId)
  }

  /** Resolves when no sync of this relay is queued or running here. */
  settled(relayId: string): Promise<void> {
    return this.queue.settled(relayId)
  }

  /** Walks every unsynced relay (keyset on id): queue it now, or at the time its backoff allows. */
  async reconcile(): Promise<number> {
    await this.undoStalledMoves()
    let after = ''
    let count = 0
    for (;;) {
      const page = await this.platform.queries.listUnsyncedRelays(after, 500)
      if (page.length === 0) break
      for (const relay of page) {
        if (!this.queue.isBusy(relay.id) && !this.retries.has(relay.id)) {
          const { failures, lastFailureAt } = await this.failureHistory(relay.id)
          if (failures === 0) this.request(relay.id)
          else if (failures < this.maxAttempts) this.scheduleRetry(relay.id, failures, lastFailureAt * 1000)
          count++
        }
      }
      after = page[page.length - 1]!.id
    }
    return count
  }

  private scheduleReconcile(): void {
    if (this.reconcileEveryMs <= 0 || this.stopped || !this.lease.held) return
    this.reconcileTimer = this.clock.setTimeout(() => {
      this.reconcile()
        .catch((err) => this.log.error({ err }, 'reconcile failed'))
        .finally(() => this.scheduleReconcile())
    }, this.reconcileEveryMs)
  }

  private async syncOnce(relayId: string): Promise<void> {
    const { queries, commands, box } = this.platform
    const relay = await queries.getRelay(relayId)
    // A move owns the relay meanwhile; its `move_relay` (or its undo) asks for a sync afterwards.
    if (!relay || relay.move_target !== null) return
    const config = await engineConfigOf(this.platform, relay)
    const { schema: _schema, ...patch } = config
    try {
      const { client } = this.platform.engineFor(relay)
      const create = () => client.createRelay(relay.id, { ...config, secret: box.open(relay.secret) })
      if (!(await queries.hasCompletedRelaySync(relay.id))) {
        try {
          await create()
        } catch (err) {
          // Created by an earlier attempt whose answer we never recorded: it exists, so PATCH it.
          if (!(err instanceof EngineError && err.status === 409 && err.message === 'relay with this id already exists')) throw err
          await client.patchRelay(relay.id, patch)
        }
      } else {
        try {
          await client.patchRelay(relay.id, patch)
        } catch (err) {
          // The engine lost it (new engine, wiped data): it must be created again, secret included.
          if (!(err instanceof EngineError && err.status === 404 && err.message === 'relay not found')) throw err
          await create()
        }
      }
      await commands.completeRelaySync(relay.id)
    } catch (err) {
      const message = err instanceof EngineError || err instanceof DomainError ? err.message : `sync failed: ${(err as Error).message}`
      this.log.warn({ relay: relay.id, error: message }, 'relay sync failed')
      await commands.failRelaySync(relay.id, message)
      const { failures } = await this.failureHistory(relay.id)
      if (failures < this.maxAttempts) this.scheduleRetry(relay.id, failures, this.clock.now())
      else this.log.error({ relay: relay.id, attempts: failures }, 'relay sync gave up; an admin can retry it')
    }
  }

  /**
   * Moves whose process died (no progress for MOVE_STALL_MS) are undone: the partial copy on the target is
   * purged and the relay, marked unsynced, is put back on its engine as it should be.
   */
  private async undoStalledMoves(): Promise<void> {
    const stalled = await this.platform.queries.listStalledRelayMoves(Date.now() - MOVE_STALL_MS, 100)
    for (const relay of stalled) {
      const target = relay.move_target === null ? undefined : this.platform.engines.get(relay.move_target)
      try {
        await target?.client.deleteRelay(relay.id, { purge: true })
      } catch (err) {
        if (!(err instanceof EngineError && err.status === 404)) {
          this.log.warn({ relay: relay.id, engine: relay.move_target, error: (err as Error).message }, 'a stalled move left a copy on its target engine')
        }
      }
      if (await this.platform.commands.abandonRelayMove(relay.id, relay.move_target!, relay.move_heartbeat_at!)) {
        this.log.warn({ relay: relay.id, engine: relay.move_target }, 'undid a stalled relay move')
        this.request(relay.id)
      }
    }
  }

  /** The count of consecutive trailing `fail_relay_sync` rows: the attempt number (spec §5). */
  private async failureHistory(relayId: string): Promise<{ failures: number; lastFailureAt: number }> {
    const recent = await this.platform.queries.listActivityForRelay(relayId, this.maxAttempts + 1)
    let failures = 0
    for (const a of recent) {
      if (a.activity_type !== 'fail_relay_sync') break
      failures++
    }
    return { failures, lastFailureAt: recent[0]?.created_at ?? 0 }
  }

  private scheduleRetry(relayId: string, failures: number, lastFailureMs: number): void {
    // Without the lease the holder's reconcile finds the relay unsynced and schedules the retry there.
    if (this.stopped || !this.lease.held) return
    const due = lastFailureMs + retryDelayMs(failures, this.baseDelayMs, this.maxDelayMs)
    this.retries.schedule(relayId, due - this.clock.now(), () => this.request(relayId))
  }
}
