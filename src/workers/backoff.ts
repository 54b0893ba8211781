/** Backoff before retry number `failures` (1-based): 30 s doubling, capped at 15 min (spec §5). */
export function retryDelayMs(failures: number, base = 30_000, cap = 900_000): number {
  return Math.min(cap, base * 2 ** Math.max(0, failures - 1))
}
