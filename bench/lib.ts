// Shared by the benchmarks: timing statistics, number formatting and the table printer.

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
