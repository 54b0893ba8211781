// Nostr lists the robot reads and writes: kind 0 (profile), 10002 (NIP-65 outbox/inbox relays) and 10050
// (NIP-17 DM inbox relays). Pure functions: parsing is defensive (events come from anyone), and choosing among
// replaceable events follows NIP-01 (highest created_at, tie → lowest id) after checking signature and author.
import { verifyEvent, type EventTemplate, type NostrEvent } from 'nostr-tools/pure'
import { normalizeURL } from 'nostr-tools/utils'

export const KIND_PROFILE = 0
export const KIND_RELAY_LIST = 10002
export const KIND_DM_RELAYS = 10050

/** A ws(s) relay URL in the canonical form nostr-tools uses, or undefined for anything else. */
export function normalizeRelayUrl(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 500) return undefined
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return undefined
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.username || url.password || !url.hostname) return undefined
  try {
    return normalizeURL(url.toString())
  } catch {
    return undefined
  }
}

/** Distinct normalized relay URLs, in first-seen order, at most `max`. */
export function relaySet(urls: Iterable<unknown>, max = Infinity): string[] {
  const out: string[] = []
  for (const raw of urls) {
    const url = normalizeRelayUrl(raw)
    if (url && !out.includes(url)) out.push(url)
    if (out.length >= max) break
  }
  return out
}

/**
 * The newest valid replaceable event of `kind` by `author`: signature and author verified, highest created_at,
 * tie → lowest id. Anything else a relay sent (forged, someone else's, another kind) is ignored.
 */
export function newestReplaceable(events: readonly NostrEvent[], author: string, kind: number): NostrEvent | undefined {
  let best: NostrEvent | undefined
  for (const event of events) {
    if (event.kind !== kind || event.pubkey !== author || !Array.isArray(event.tags) || !verifyEvent(event)) continue
    if (!best || event.created_at > best.created_at || (event.created_at === best.created_at && event.id < best.id)) best = event
  }
  return best
}

function tagsNamed(event: NostrEvent, name: string): string[][] {
  return event.tags.filter((t) => Array.isArray(t) && t[0] === name && typeof t[1] === 'string')
}

/** NIP-65: `r` tags, `read`/`write` marker, none = both. */
export function parseRelayList(event: NostrEvent, max = 20): { read: string[]; write: string[] } {
  const tags = tagsNamed(event, 'r')
  const marked = (marker: string) => relaySet(tags.filter((t) => t[2] === undefined || t[2] === '' || t[2] === marker).map((t) => t[1]), max)
  return { read: marked('read'), write: marked('write') }
}

/** NIP-17: `relay` tags of a kind 10050 (kept small by the publisher; we read at most `max`). */
export function parseDmRelays(event: NostrEvent, max = 5): string[] {
  return relaySet(tagsNamed(event, 'relay').map((t) => t[1]), max)
}

export interface RobotProfile {
  name: string
  description: string
  picture: string | undefined
  outboxRelays: string[]
  messagingRelays: string[]
}

/**
 * The robot's own kind 0, 10002 and 10050 (without created_at, which the publisher sets). A list with no
 * relays is not published: an empty 10050 would tell everyone the robot cannot receive DMs at all.
 */
export function robotListTemplates(profile: RobotProfile): Omit<EventTemplate, 'created_at'>[] {
  const content: Record<string, string> = { name: profile.name, display_name: profile.name, about: profile.description }
  if (profile.picture) content.picture = profile.picture
  const templates: Omit<EventTemplate, 'created_at'>[] = [{ kind: KIND_PROFILE, content: JSON.stringify(content), tags: [] }]
  const outbox = relaySet(profile.outboxRelays)
  if (outbox.length > 0) templates.push({ kind: KIND_RELAY_LIST, content: '', tags: outbox.map((url) => ['r', url]) })
  const inbox = relaySet(profile.messagingRelays)
  if (inbox.length > 0) templates.push({ kind: KIND_DM_RELAYS, content: '', tags: inbox.map((url) => ['relay', url]) })
  return templates
}
