// NIP-09: a kind 5 deletes the author's own events referenced by `e`, and every version of the author's
// addresses referenced by `a` up to the request's own `created_at`. The kind 5 itself is stored and served.
import type { NostrEvent } from 'nostr-tools/pure'
import type { RelayStore } from './store.js'

export const DELETION_KIND = 5

/** Applies a stored kind 5 inside the caller's transaction. */
export function applyDeletion(store: RelayStore, deletion: NostrEvent): void {
  for (const t of deletion.tags) {
    if (t[0] === 'e' && typeof t[1] === 'string') {
      store.deleteOwnEvent(t[1], deletion.pubkey)
    } else if (t[0] === 'a' && typeof t[1] === 'string') {
      const address = parseAddress(t[1])
      if (address && address.pubkey === deletion.pubkey) {
        store.deleteOwnAddressUpTo(address.pubkey, address.kind, address.d, deletion.created_at)
      }
    }
  }
}

export function parseAddress(value: string): { kind: number; pubkey: string; d: string } | undefined {
  const m = /^(\d{1,5}):([0-9a-f]{64}):(.*)$/s.exec(value)
  if (!m) return undefined
  return { kind: Number(m[1]), pubkey: m[2]!, d: m[3]! }
}
