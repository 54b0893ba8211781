// Per-key retry timers for reactors (relay sync, billing, the robot's outbox): one pending retry per key, replaced
// when rescheduled, dropped when it fires or is cancelled, all cleared on stop.
import type { Clock } from './clock.js'

export class RetryTimers {
  private readonly timers = new Map<string, unknown>()

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` after `delayMs`, replacing any retry already pending for `key`. */
  schedule(key: string, delayMs: number, fn: () => void): void {
    this.cancel(key)
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(key)
      fn()
    }, Math.max(0, delayMs))
    this.timers.set(key, handle)
  }

  cancel(key: string): void {
    const handle = this.timers.get(key)
    if (handle === undefined) return
    this.clock.clearTimeout(handle)
    this.timers.delete(key)
  }

  has(key: string): boolean {
    return this.timers.has(key)
  }

  /** Keys with a retry pending. */
  get keys(): string[] {
    return [...this.timers.keys()]
  }

  clear(): void {
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle)
    this.timers.clear()
  }
}
