// The in-process activity bus. Commands publish here only after their transaction commits, so a
// subscriber (relay sync, billing) never acts on a change that was rolled back.
import type { ActivityRow } from '../db/schema.js'

export type ActivityListener = (activity: ActivityRow) => void | Promise<void>

export class ActivityBus {
  private readonly listeners = new Set<ActivityListener>()
  private readonly onError: (err: unknown, activity: ActivityRow) => void

  constructor(onError: (err: unknown, activity: ActivityRow) => void = () => {}) {
    this.onError = onError
  }

  subscribe(listener: ActivityListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  publish(activity: ActivityRow): void {
    for (const listener of this.listeners) {
      try {
        const result = listener(activity)
        if (result instanceof Promise) result.catch((err) => this.onError(err, activity))
      } catch (err) {
        this.onError(err, activity)
      }
    }
  }
}
