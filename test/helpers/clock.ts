import type { Clock } from '../../src/workers/clock.js'

/** A clock whose time moves only when the test says so; timers fire in due order on `advance`. */
export class ManualClock implements Clock {
  private time = Date.now()
  private seq = 0
  private readonly timers = new Map<number, { due: number; fn: () => void }>()

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.timers.set(id, { due: this.time + ms, fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number)
  }

  /** Due times of pending timers, relative to now, in ms. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.due - this.time).sort((a, b) => a - b)
  }

  advance(ms: number): void {
    const until = this.time + ms
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.due <= until).sort((a, b) => a[1].due - b[1].due)[0]
      if (!next) break
      this.timers.delete(next[0])
      this.time = next[1].due
      next[1].fn()
    }
    this.time = until
  }
}
