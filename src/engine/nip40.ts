// NIP-40: expiration timestamps. Expired events are refused on write, never served, and swept periodically.
import type { NostrEvent } from 'nostr-tools/pure'

/** The `expiration` tag as integer seconds, or undefined when absent or not a number. */
export function expirationOf(event: NostrEvent): number | undefined {
  for (const t of event.tags) {
    if (t[0] === 'expiration' && typeof t[1] === 'string' && /^\d{1,12}$/.test(t[1])) return Number(t[1])
  }
  return undefined
}

export function isExpired(event: NostrEvent, now: number): boolean {
  const exp = expirationOf(event)
  return exp !== undefined && exp <= now
}

/** How often the engine purges expired events (the spec asks for at least once a minute). */
export const EXPIRATION_SWEEP_MS = 30_000
