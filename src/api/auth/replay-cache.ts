// Single-use NIP-98 event ids. An id is remembered for longer than a token can be valid (±60 s), so a
// replayed token is refused for as long as it would otherwise be accepted.
export class ReplayCache {
  private readonly seen = new Map<string, number>()

  constructor(private readonly ttlSeconds = 120) {}

  /** Records the id; returns false when it was already used. */
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
