// NIP-70: an event tagged `["-"]` may only be published by its authenticated author. Every ordinary write
// already requires that (write pipeline step 7); the tag matters where exemptions would otherwise skip it.
import type { NostrEvent } from 'nostr-tools/pure'

export const isProtectedEvent = (event: NostrEvent): boolean => event.tags.some((t) => t[0] === '-')
