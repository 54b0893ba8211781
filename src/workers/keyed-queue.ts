// Work keyed by a resource (a relay, a tenant): at most one run per key at a time, a request during a run
// makes it run once more afterwards, and at most `concurrency` keys run at once. Reactors on the activity
// bus use it so bursts of changes collapse into few calls to the outside world.
export class KeyedQueue {
  private readonly queue = new Set<string>()
  private readonly running = new Map<string, { dirty: boolean }>()
  private readonly idleWaiters: (() => void)[] = []
  private readonly keyWaiters = new Map<string, (() => void)[]>()
  private stopped = false

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly onCrash: (err: unknown, key: string) => void,
    private readonly concurrency = 16,
  ) {}

  request(key: string): void {
    if (this.stopped) return
    const running = this.running.get(key)
    if (running) {
      running.dirty = true
      return
    }
    this.queue.add(key)
    this.pump()
  }

  isBusy(key: string): boolean {
    return this.queue.has(key) || this.running.has(key)
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.queue.size === 0 && this.running.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Resolves when this key is neither queued nor running. */
  settled(key: string): Promise<void> {
    if (!this.isBusy(key)) return Promise.resolve()
    return new Promise((resolve) => {
      const list = this.keyWaiters.get(key) ?? []
      list.push(resolve)
      this.keyWaiters.set(key, list)
    })
  }

  stop(): void {
    this.stopped = true
    this.queue.clear()
  }

  resume(): void {
    this.stopped = false
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.queue.size > 0) {
      const key = this.queue.values().next().value as string
      this.queue.delete(key)
      const state = { dirty: false }
      this.running.set(key, state)
      void this.run(key, state)
    }
    if (this.queue.size === 0 && this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private async run(key: string, state: { dirty: boolean }): Promise<void> {
    try {
      do {
        state.dirty = false
        await this.work(key)
      } while (state.dirty && !this.stopped)
    } catch (err) {
      this.onCrash(err, key)
    } finally {
      this.running.delete(key)
      for (const resolve of this.keyWaiters.get(key) ?? []) resolve()
      this.keyWaiters.delete(key)
      this.pump()
    }
  }
}
