// Recently seen sessions and admin flags, kept for a few seconds so a busy dashboard does not cost two database
// round trips per request before any work (they dominated the session route on PostgreSQL). A logout forgets
// its session at once here and, through the activity bus's signal, on every other instance; a session's own
// expiry is always checked. Admin changes (CLI or environment) are seen within `ttlMs`.
import { ADMINS_CHANGED_SIGNAL, SESSIONS_ENDED_SIGNAL } from '../../platform/commands.js'
import type { Platform } from '../../platform/platform.js'
import { LRUCache } from 'lru-cache'

const MAX_ENTRIES = 10_000

/** At most 10,000 values, each for `ttlMs` (least recently used out first when full). */
export class TtlCache<V> {
  private readonly entries: LRUCache<string, { value: V }>

  constructor(
    private readonly ttlMs: number,
    now: () => number = Date.now,
  ) {
    // ttlResolution 0: ask the clock on every read (the default caches it for a millisecond by a timer).
    this.entries = new LRUCache({ max: MAX_ENTRIES, ttl: Math.max(1, ttlMs), ttlResolution: 0, perf: { now } })
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value
  }

  set(key: string, value: V): void {
    if (this.ttlMs > 0) this.entries.set(key, { value })
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
