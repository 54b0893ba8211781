// The activity bus. Commands publish here only after their transaction commits, so a subscriber (relay sync,
// billing) never acts on a change that was rolled back. In one process (SQLite) it is all there is; with several
// instances on PostgreSQL the activity feed also publishes here what the other instances committed, so an
// activity may arrive twice (from this process and back from the database): each id is delivered once.
//
// Signals wake a named worker ("a Stripe event was stored: apply it") wherever its lease is held; across
// instances they travel through the same feed.
import type { ActivityRow } from '../db/schema.js'

export type ActivityListener = (activity: ActivityRow) => void | Promise<void>

/** How many recent activity ids are remembered to drop a second delivery (the feed's catch-up window). */
const REMEMBERED = 50_000

export class ActivityBus {
  private readonly listeners = new Set<ActivityListener>()
  private readonly signalListeners = new Map<string, Set<() => void>>()
  private readonly onError: (err: unknown, activity: ActivityRow) => void
  private readonly delivered = new Set<string>()
  /** Sends a signal to the other instances (set by the PostgreSQL feed). */
  remoteSignal: ((name: string) => void) | undefined

  constructor(onError: (err: unknown, activity: ActivityRow) => void = () => {}) {
    this.onError = onError
  }

  subscribe(listener: ActivityListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Delivers a committed activity to every listener, once per id. Returns false for an id already delivered. */
  publish(activity: ActivityRow): boolean {
    if (this.delivered.has(activity.id)) return false
    this.delivered.add(activity.id)
    // A Set iterates in insertion order: the oldest id goes first.
    if (this.delivered.size > REMEMBERED) this.delivered.delete(this.delivered.values().next().value!)
    for (const listener of this.listeners) {
      try {
        const result = listener(activity)
        if (result instanceof Promise) result.catch((err) => this.onError(err, activity))
      } catch (err) {
        this.onError(err, activity)
      }
    }
    return true
  }

  /** Listens for a named signal (from this instance or another). */
  onSignal(name: string, listener: () => void): () => void {
    let set = this.signalListeners.get(name)
    if (!set) this.signalListeners.set(name, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  }

  /** Wakes the worker `name` here and in every other instance. */
  signal(name: string): void {
    this.deliverSignal(name)
    this.remoteSignal?.(name)
  }

  /** A signal arrived (from here or from another instance). */
  deliverSignal(name: string): void {
    for (const listener of this.signalListeners.get(name) ?? []) listener()
  }
}
