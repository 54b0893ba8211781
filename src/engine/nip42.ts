// NIP-42: per-connection challenge and verification of kind 22242 AUTH events.
import { randomBytes } from 'node:crypto'
import type { NostrEvent } from 'nostr-tools/pure'
import { verifyFreshEvent } from '../nostr/verify.js'
import { firstTagValue } from './nip01.js'
import { stripPort } from './relay-config.js'

export const AUTH_KIND = 22242
export const AUTH_WINDOW_SECONDS = 600

export const newChallenge = (): string => randomBytes(16).toString('hex')

/** The host name of a `relay` tag value: scheme, port and path ignored, lower-cased. */
export function relayTagHostname(value: string): string {
  try {
    return new URL(value.includes('://') ? value : `ws://${value}`).hostname.toLowerCase()
  } catch {
    return ''
  }
}

export type AuthResult = { ok: true; pubkey: string } | { ok: false; reason: string }

/** Checks a freshly parsed AUTH event against the connection's challenge and the relay's host. */
export function verifyAuthEvent(raw: unknown, challenge: string, relayHost: string, now: number): AuthResult {
  if (!verifyFreshEvent(raw)) return { ok: false, reason: 'invalid: bad event id or signature' }
  const event: NostrEvent = raw
  if (event.kind !== AUTH_KIND) return { ok: false, reason: `invalid: auth event must be kind ${AUTH_KIND}` }
  if (firstTagValue(event, 'challenge') !== challenge) return { ok: false, reason: 'invalid: challenge does not match' }
  if (Math.abs(now - event.created_at) > AUTH_WINDOW_SECONDS) {
    return { ok: false, reason: 'invalid: auth event created_at out of range' }
  }
  const relayTag = firstTagValue(event, 'relay')
  if (!relayTag || relayTagHostname(relayTag) !== stripPort(relayHost)) {
    return { ok: false, reason: 'invalid: relay tag does not match this relay' }
  }
  return { ok: true, pubkey: event.pubkey }
}
