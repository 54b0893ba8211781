// Shared by the benchmarks: timing statistics, number formatting, the table printer and servers in worker threads.
import { createServer as createNetServer } from 'node:net'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import autocannon from 'autocannon'

/** Nanoseconds since an arbitrary origin, as a number (exact well past a day of uptime). */
export function nowNs(): number {
  return Number(process.hrtime.bigint())
}

export interface Summary {
  /** Nanoseconds. */
  median: number
  p99: number
  count: number
}

/** Median and p99 (nearest rank) of samples in nanoseconds. */
export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort()
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  return { median: rank(0.5), p99: rank(0.99), count: sorted.length }
}

export function fmtDuration(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(0)} ns`
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} µs`
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`
  return `${(ns / 1e9).toFixed(2)} s`
}

export function fmtRatio(x: number): string {
  if (x >= 100) return `${Math.round(x).toLocaleString('en-US')}×`
  return `${x.toFixed(2)}×`
}

export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US')
}

export function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL'
}

export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  console.log(`\n${title}\n`)
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows) console.log(line(r))
}

/** Prints progress on stderr so the tables on stdout stay clean. */
export function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`)
}

/** A small seeded PRNG (mulberry32): reproducible distributions without the cost of crypto randomness. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for servers that must know their URL before they listen). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** A server under test in a worker thread: commands answered by its `serveWorker` handlers, then `stop`. */
export interface BenchWorker<Ready = unknown> {
  ready: Ready
  call<T = unknown>(command: string, arg?: unknown): Promise<T>
  stop(): Promise<void>
}

/**
 * Runs the module at `moduleUrl` in a worker thread with `spec` (read there with `workerSpec`); resolves once the
 * module's `serveWorker` says it is ready. A worker keeps the server's event loop apart from the load generator's.
 */
export async function startWorker<Ready = unknown>(moduleUrl: string, spec: unknown): Promise<BenchWorker<Ready>> {
  // On Node 20 a worker's entry module is loaded before `--import tsx` can hook it: register tsx, then import.
  const entry = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}) })`
  const worker = new Worker(entry, { eval: true, workerData: { benchWorker: spec } })
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  let nextId = 0
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the bench worker exited with ${code} before it was ready`)))
    worker.once('message', (m: { ready: Ready }) => resolve(m.ready))
  })
  worker.removeAllListeners('exit')
  worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id)
    pending.delete(m.id)
    if (m.error !== undefined) p?.reject(new Error(m.error))
    else p?.resolve(m.result)
  })
  const call = <T>(command: string, arg?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      worker.postMessage({ id, command, arg })
    })
  return {
    ready,
    call,
    stop: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage({ id: -1, command: 'stop' })
      await exited
    },
  }
}

/** In a worker started by `startWorker`: its spec; undefined on the main thread. */
export function workerSpec<T>(): T | undefined {
  if (isMainThread) return undefined
  return (workerData as { benchWorker?: T } | null)?.benchWorker
}

/** The worker side of `startWorker`: answers commands with `handlers`; `stop` runs `close` and ends the thread. */
export function serveWorker(ready: unknown, handlers: Record<string, (arg: unknown) => unknown>, close: () => Promise<void>): void {
  parentPort!.on('message', async ({ id, command, arg }: { id: number; command: string; arg: unknown }) => {
    if (command === 'stop') {
      await close()
      process.exit(0)
    }
    try {
      const handler = handlers[command]
      if (!handler) throw new Error(`unknown bench worker command "${command}"`)
      parentPort!.postMessage({ id, result: await handler(arg) })
    } catch (err) {
      parentPort!.postMessage({ id, error: (err as Error).stack ?? String(err) })
    }
  })
  parentPort!.postMessage({ ready })
}

export interface Load {
  requests: number
  seconds: number
  /** Responses outside 2xx. */
  non2xx: number
  /** Socket errors and timeouts. */
  errors: number
  /** Milliseconds, from every response. */
  p50: number
  p99: number
}

/**
 * One autocannon run; latency percentiles come from every response, not the millisecond histogram. The duration
 * is timed here, from the start to the last response: autocannon's own only ends on its once-a-second tick, so a
 * run bounded by `amount` would count up to a second it did not use.
 */
export function loadRun(opts: autocannon.Options): Promise<Load> {
  const latencies: number[] = []
  let non2xx = 0
  const started = nowNs()
  let last = started
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => {
      if (err) return reject(err)
      const s = summarize(latencies)
      resolve({ requests: latencies.length, seconds: (last - started) / 1e9, non2xx, errors: result.errors + result.timeouts, p50: s.median, p99: s.p99 })
    })
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status < 200 || status > 299) non2xx++
      latencies.push(ms)
      last = nowNs()
    })
  })
}
