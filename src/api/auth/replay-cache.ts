// Single-use NIP-98 event ids. An id is remembered for longer than a token can be valid (±60 s), so a
// replayed token is refused for as long as it would otherwise be accepted. One process (SQLite) keeps them in
// memory; several processes on PostgreSQL share them in the `auth_event` table.
import type { Database } from '../../db/database.js'

export interface ReplayGuard {
  /** Records the id; false when it was already used. */
  use(id: string, now: number): boolean | Promise<boolean>
}

export class ReplayCache implements ReplayGuard {
  private readonly seen = new Map<string, number>()

  constructor(private readonly ttlSeconds = 120) {}

  use(id: string, now: number): boolean {
    this.sweep(now)
    if (this.seen.has(id)) return false
    this.seen.set(id, now + this.ttlSeconds)
    return true
  }

  get size(): number {
    return this.seen.size
  }

  // Map iteration follows insertion order, which is expiry order: stop at the first live entry.
  private sweep(now: number): void {
    for (const [id, expires] of this.seen) {
      if (expires > now) break
      this.seen.delete(id)
    }
  }
}

/** The shared form: insert-if-absent in one statement, so two instances can never both accept an id. */
export class DatabaseReplayGuard implements ReplayGuard {
  constructor(
    private readonly db: Database,
    private readonly ttlSeconds = 120,
  ) {}

  async use(id: string, now: number): Promise<boolean> {
    const inserted = await this.db.transaction((tx) =>
      tx.run(
        tx.q
          .insertInto('auth_event')
          .values({ id, expires_at: now + this.ttlSeconds })
          .onConflict((oc) => oc.column('id').doNothing()),
      ),
    )
    return inserted === 1
  }

  /** Deletes ids whose tokens can no longer be valid. */
  sweep(now: number): Promise<number> {
    return this.db.transaction((tx) => tx.run(tx.q.deleteFrom('auth_event').where('expires_at', '<', now)))
  }
}
