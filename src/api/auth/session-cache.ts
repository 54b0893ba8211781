// Recently seen sessions and admin flags, kept for a few seconds so a busy dashboard does not cost two database
// round trips per request before any work (they dominated the session route on PostgreSQL). A logout forgets
// its session at once here and, through the activity bus's signal, on every other instance; a session's own
// expiry is always checked. Admin changes (CLI or environment) are seen within `ttlMs`.
import { ADMINS_CHANGED_SIGNAL, SESSIONS_ENDED_SIGNAL } from '../../platform/commands.js'
import type { Platform } from '../../platform/platform.js'


const MAX_ENTRIES = 10_000

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.until <= this.now()) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return
    // Oldest first out when full: a Map iterates in insertion order.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
    this.entries.delete(key)
    this.entries.set(key, { value, until: this.now() + this.ttlMs })
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }

  /** Cached, or looked up and cached when the lookup finds something. */
  async through(key: string, lookup: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.get(key)
    if (hit !== undefined) return hit
    const value = await lookup()
    if (value !== undefined) this.set(key, value)
    return value
  }
}


/** How long a session or an admin flag is trusted without asking the database again. */
export const API_CACHE_TTL_MS = 10_000

export interface ApiCaches {
  sessions: TtlCache<{ pubkey: string; expires_at: number }>
  admins: TtlCache<boolean>
}

const cachesByPlatform = new WeakMap<Platform, ApiCaches>()

/** The platform's caches, made (and tied to the bus's signals) on first use. */
export function apiCaches(platform: Platform): ApiCaches {
  let caches = cachesByPlatform.get(platform)
  if (!caches) {
    caches = { sessions: new TtlCache(API_CACHE_TTL_MS), admins: new TtlCache(API_CACHE_TTL_MS) }
    const { sessions, admins } = caches
    platform.bus.onSignal(SESSIONS_ENDED_SIGNAL, () => sessions.clear())
    platform.bus.onSignal(ADMINS_CHANGED_SIGNAL, () => admins.clear())
    cachesByPlatform.set(platform, caches)
  }
  return caches
}
