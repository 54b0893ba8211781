// The spot BTC price that converts a Stripe invoice's USD cents into millisatoshis. A fixed override wins;
// otherwise the configured source is asked with a timeout, and a recent answer is reused.
import type { Config } from '../config.js'
import { DomainError } from '../platform/errors.js'

const FRESH_MS = 5 * 60_000
const USABLE_MS = 60 * 60_000

export class BtcPriceSource {
  private cached: { usd: number; at: number } | undefined

  constructor(
    private readonly config: Config['btcPrice'],
    private readonly options: { timeoutMs?: number; now?: () => number } = {},
  ) {}

  async usd(): Promise<number> {
    if (this.config.overrideUsd !== undefined) return this.config.overrideUsd
    const now = (this.options.now ?? Date.now)()
    if (this.cached && now - this.cached.at < FRESH_MS) return this.cached.usd
    try {
      const res = await fetch(this.config.url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000), headers: { accept: 'application/json' } })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      const body: unknown = await res.json()
      const raw = typeof body === 'number' || typeof body === 'string' ? body : (body as { data?: { amount?: unknown } })?.data?.amount
      const usd = Number(raw)
      if (!Number.isFinite(usd) || usd <= 0) throw new Error('no price in the answer')
      this.cached = { usd, at: now }
      return usd
    } catch (err) {
      if (this.cached && now - this.cached.at < USABLE_MS) return this.cached.usd
      throw new DomainError(503, 'price-unavailable', `the BTC price source did not answer: ${(err as Error).message}`)
    }
  }
}

/** USD cents → millisatoshis at `usdPerBtc`, rounded up to a whole satoshi. */
export function centsToMsats(cents: number, usdPerBtc: number): number {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new DomainError(422, 'invalid-amount', 'the amount must be a positive number of cents')
  const sats = Math.ceil((cents / 100 / usdPerBtc) * 1e8)
  return sats * 1000
}
