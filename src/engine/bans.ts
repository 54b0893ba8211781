// Bans are stored as self-signed kind 30078 events so an export carries them (engine.md §5.6):
// `d` = zooid/banned_pubkeys with ["pubkey", hex, reason] tags, `d` = zooid/banned_events with ["event", id, reason].
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'

export const APP_DATA_KIND = 30078
export const BANNED_PUBKEYS_D = 'zooid/banned_pubkeys'
export const BANNED_EVENTS_D = 'zooid/banned_events'
export const INTERNAL_D_PREFIX = 'zooid/'

export function banListTemplate(d: string, tagName: 'pubkey' | 'event', entries: Map<string, string>, createdAt: number): EventTemplate {
  const tags = [['d', d], ['-']]
  for (const [key, reason] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) tags.push([tagName, key, reason])
  return { kind: APP_DATA_KIND, created_at: createdAt, tags, content: '' }
}

export function readBanList(event: NostrEvent | undefined, tagName: 'pubkey' | 'event'): Map<string, string> {
  const out = new Map<string, string>()
  if (!event) return out
  for (const t of event.tags) if (t[0] === tagName && typeof t[1] === 'string') out.set(t[1], t[2] ?? '')
  return out
}
