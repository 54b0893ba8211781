// Bounds the number of open relay databases (engine.md §6, docs/engine.md "Open databases"). Each open store
// holds three file descriptors (database, -wal, -shm); relays open theirs on first use and the least recently
// used idle ones are closed when more than `max` are open. A store in use (live connections, a pending write,
// an import) is never closed; if every open store is in use the pool goes over `max` until one becomes idle.
import type { Logger } from '../log.js'

/** What the pool needs of a relay whose store it tracks. */
export interface PooledStore {
  readonly id: string
  /** No connections, no pending writes, no running operation: the store may be closed. */
  readonly idle: boolean
  /** Commits anything pending and closes the store, dropping the in-memory state loaded with it. */
  closeStore(): void
}

export class StorePool {
  /** Open stores, least recently used first (a Set keeps insertion order; `touch` re-inserts). */
  private readonly open = new Set<PooledStore>()
  private warnedOver = false
  /** Stores closed by the pool to make room (for operators and tests). */
  evictions = 0

  constructor(
    readonly max: number,
    private readonly log: Logger,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`maximum open relay stores must be a positive integer, got ${max}`)
  }

  /** How many relay stores are open now. */
  get size(): number {
    return this.open.size
  }

  /** Closes least recently used idle stores until one more fits under the maximum. */
  reserve(opening: PooledStore): void {
    this.shrinkTo(this.max - 1, opening)
  }

  opened(store: PooledStore): void {
    this.open.delete(store)
    this.open.add(store)
  }

  touch(store: PooledStore): void {
    if (this.open.delete(store)) this.open.add(store)
  }

  closed(store: PooledStore): void {
    this.open.delete(store)
  }

  /** Brings the pool back under the maximum once stores that were in use become idle. */
  trim(): void {
    if (this.open.size > this.max) this.shrinkTo(this.max)
  }

  private shrinkTo(target: number, except?: PooledStore): void {
    if (this.open.size <= target) return
    for (const store of this.open) {
      if (this.open.size <= target) break
      if (store === except || !store.idle) continue
      try {
        store.closeStore()
        this.evictions++
      } catch (err) {
        this.log.error({ err, relay: store.id }, 'closing an idle relay store failed')
      }
      this.open.delete(store)
    }
    if (this.open.size > target) {
      if (!this.warnedOver) {
        this.warnedOver = true
        this.log.warn({ open: this.open.size, max: this.max }, 'every open relay store is in use: open stores exceed ENGINE_MAX_OPEN_RELAYS')
      }
    } else this.warnedOver = false
  }
}
