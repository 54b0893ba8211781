// Event signature verification. Hot paths (relay ingest, NIP-98) use nostr-wasm, about five times faster
// than the pure-JS verifier; `initVerifier()` loads it once at start-up and the pure verifier serves until then.
import { validateEvent, type Event, type NostrEvent } from 'nostr-tools/pure'
import { finalizeEvent as finalizePure, verifyEvent as verifyPure, type EventTemplate, type VerifiedEvent } from 'nostr-tools/pure'
import { finalizeEvent as finalizeWasm, setNostrWasm, verifyEvent as verifyWasm } from 'nostr-tools/wasm'
import { initNostrWasm } from 'nostr-wasm'

let wasmReady: Promise<void> | undefined
let useWasm = false

export function initVerifier(): Promise<void> {
  wasmReady ??= initNostrWasm().then((nw) => {
    setNostrWasm(nw)
    useWasm = true
  })
  return wasmReady
}

/**
 * Checks shape, id and signature of an event that was just parsed from the wire. nostr-tools caches a
 * positive result on the object, so callers must pass a freshly parsed object, never a copy of a verified one.
 */
export function verifyFreshEvent(event: unknown): event is NostrEvent {
  if (!validateEvent(event)) return false
  const e = event as Event
  if (typeof e.id !== 'string' || typeof e.sig !== 'string') return false
  if (!/^[0-9a-f]{64}$/.test(e.id) || !/^[0-9a-f]{128}$/.test(e.sig)) return false
  return useWasm ? verifyWasm(e) : verifyPure(e)
}

/**
 * Signs an event: with nostr-wasm once `initVerifier()` has loaded it (about six times faster than pure JS here;
 * relays sign their own membership and group events, the robot signs every engine call), else in pure JS.
 * nostr-wasm fills the template in place, so a copy is signed.
 */
export function signEvent(template: EventTemplate, secretKey: Uint8Array): VerifiedEvent {
  return useWasm ? finalizeWasm({ ...template, tags: template.tags.map((t) => [...t]) }, secretKey) : finalizePure(template, secretKey)
}
