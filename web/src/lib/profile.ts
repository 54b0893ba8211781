// A person's kind-0 profile (name, picture) from public relays. Best effort: never blocks the dashboard.
import { SimplePool } from 'nostr-tools/pool'
import type { NostrEvent } from 'nostr-tools/pure'
import { destroyPool } from './signers'

export interface Profile {
  name?: string
  picture?: string
}

/** Newest wins; on a tie the lowest id (NIP-01 replaceable events). */
export function newestEvent(events: NostrEvent[]): NostrEvent | undefined {
  return [...events].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1))[0]
}

export function parseProfile(content: string): Profile {
  let raw: unknown
  try {
    raw = JSON.parse(content)
  } catch {
    return {}
  }
  if (typeof raw !== 'object' || raw === null) return {}
  const r = raw as Record<string, unknown>
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 100) : undefined)
  const picture = typeof r.picture === 'string' && /^(https?:\/\/|data:image\/)/.test(r.picture) ? r.picture : undefined
  return { name: text(r.display_name) ?? text(r.name), picture }
}

export async function fetchProfile(pubkey: string, relays: string[], maxWait = 4000): Promise<Profile> {
  if (relays.length === 0) return {}
  const pool = new SimplePool()
  try {
    const events = await pool.querySync(relays, { kinds: [0], authors: [pubkey] }, { maxWait })
    const newest = newestEvent(events.filter((e) => e.pubkey === pubkey))
    return newest ? parseProfile(newest.content) : {}
  } catch {
    return {}
  } finally {
    destroyPool(pool)
  }
}
