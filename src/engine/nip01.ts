// NIP-01: message shapes, kind classes, filters and the relay's protocol limits.
import type { NostrEvent } from 'nostr-tools/pure'

export type { NostrEvent }

/** Limits advertised in NIP-11 `limitation` and enforced on every connection (engine.md §5.1). */
export const LIMITS = {
  max_message_length: 524_288,
  max_subscriptions: 50,
  max_filters: 10,
  max_limit: 1000,
  default_limit: 1000,
  max_subid_length: 64,
  max_event_tags: 5000,
  max_content_length: 262_144,
  created_at_upper_limit: 900,
} as const

/** Largest number of values accepted in one filter field (`ids`, `authors`, `kinds`, each `#x`). */
export const MAX_FILTER_VALUES = 1000

export const isEphemeralKind = (k: number): boolean => k >= 20000 && k < 30000
export const isReplaceableKind = (k: number): boolean => k === 0 || k === 3 || (k >= 10000 && k < 20000)
export const isAddressableKind = (k: number): boolean => k >= 30000 && k < 40000

export function firstTagValue(event: NostrEvent, name: string): string | undefined {
  for (const t of event.tags) if (t[0] === name && typeof t[1] === 'string') return t[1]
  return undefined
}

/** The replacement key's `d` part: '' for replaceable kinds, the `d` tag for addressable ones, else null. */
export function addressKey(event: NostrEvent): string | null {
  if (isReplaceableKind(event.kind)) return ''
  if (isAddressableKind(event.kind)) return firstTagValue(event, 'd') ?? ''
  return null
}

export interface Filter {
  ids?: string[]
  authors?: string[]
  kinds?: number[]
  since?: number
  until?: number
  limit?: number
  search?: string
  /** `#x` tag filters, keyed by the letter. */
  tags?: Map<string, string[]>
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

/** Parses one wire filter; throws an Error whose message follows `invalid: ` in the CLOSED reason. */
export function parseFilter(raw: unknown): Filter {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('filter must be an object')
  const f: Filter = {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'ids' || key === 'authors') {
      if (!isStringArray(value)) throw new Error(`${key} must be an array of strings`)
      if (value.length > MAX_FILTER_VALUES) throw new Error(`${key} has more than ${MAX_FILTER_VALUES} values`)
      f[key] = value
    } else if (key === 'kinds') {
      if (!Array.isArray(value) || !value.every((k) => Number.isInteger(k) && k >= 0 && k <= 65535)) {
        throw new Error('kinds must be an array of integers')
      }
      if (value.length > MAX_FILTER_VALUES) throw new Error(`kinds has more than ${MAX_FILTER_VALUES} values`)
      f.kinds = value as number[]
    } else if (key === 'since' || key === 'until' || key === 'limit') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(`${key} must be a non-negative number`)
      }
      f[key] = Math.floor(value)
    } else if (key === 'search') {
      if (typeof value !== 'string') throw new Error('search must be a string')
      f.search = value
    } else if (key.length === 2 && key[0] === '#' && /[a-zA-Z]/.test(key[1]!)) {
      if (!isStringArray(value)) throw new Error(`${key} must be an array of strings`)
      if (value.length > MAX_FILTER_VALUES) throw new Error(`${key} has more than ${MAX_FILTER_VALUES} values`)
      f.tags ??= new Map()
      f.tags.set(key[1]!, value)
    }
    // Unknown keys are ignored, as other relays do.
  }
  return f
}

/** Whether a filter can match nothing at all (empty value lists, `search`, zero limit handled by callers). */
export function filterIsEmpty(f: Filter): boolean {
  if (f.search !== undefined) return true
  if (f.ids?.length === 0 || f.authors?.length === 0 || f.kinds?.length === 0) return true
  if (f.tags) for (const values of f.tags.values()) if (values.length === 0) return true
  if (f.since !== undefined && f.until !== undefined && f.since > f.until) return true
  return false
}

export function matchesFilter(f: Filter, e: NostrEvent): boolean {
  if (f.search !== undefined) return false
  if (f.ids && !f.ids.includes(e.id)) return false
  if (f.authors && !f.authors.includes(e.pubkey)) return false
  if (f.kinds && !f.kinds.includes(e.kind)) return false
  if (f.since !== undefined && e.created_at < f.since) return false
  if (f.until !== undefined && e.created_at > f.until) return false
  if (f.tags) {
    for (const [letter, values] of f.tags) {
      if (!e.tags.some((t) => t[0] === letter && typeof t[1] === 'string' && values.includes(t[1]))) return false
    }
  }
  return true
}

export const matchesAny = (filters: Filter[], e: NostrEvent): boolean => filters.some((f) => matchesFilter(f, e))

/** Serialises an event with `sig` last, so signature stripping can rewrite the tail without re-serialising. */
export function serializeEvent(e: NostrEvent): string {
  return JSON.stringify({
    id: e.id,
    pubkey: e.pubkey,
    created_at: e.created_at,
    kind: e.kind,
    tags: e.tags,
    content: e.content,
    sig: e.sig,
  })
}

const ZERO_SIG = '0'.repeat(128)

/** Replaces the signature of a `serializeEvent` string by 128 zeros. */
export function stripSignature(json: string): string {
  return json.slice(0, json.length - 130) + ZERO_SIG + '"}'
}

/** Checks limits that signature verification does not cover; returns a reason after `invalid: `. */
export function checkEventLimits(e: NostrEvent, now: number): string | undefined {
  if (e.tags.length > LIMITS.max_event_tags) return `too many tags (max ${LIMITS.max_event_tags})`
  if (e.content.length > LIMITS.max_content_length) return `content too long (max ${LIMITS.max_content_length})`
  if (e.created_at > now + LIMITS.created_at_upper_limit) return 'event created_at is too far in the future'
  if (!Number.isInteger(e.kind) || e.kind < 0 || e.kind > 65535) return 'kind out of range'
  return undefined
}
