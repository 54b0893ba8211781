// The ways to sign in: a NIP-07 browser extension, a NIP-46 bunker URI, or a nostrconnect:// QR code for
// a signer app. Each yields a Signer that is used once, to open the session.
import { BunkerSigner, createNostrConnectURI, parseBunkerInput } from 'nostr-tools/nip46'
import { SimplePool } from 'nostr-tools/pool'
import { generateSecretKey, getPublicKey, type EventTemplate, type NostrEvent } from 'nostr-tools/pure'
import { bytesToHex } from 'nostr-tools/utils'
import type { Signer } from './nip98'

interface Nip07 {
  getPublicKey(): Promise<string>
  signEvent(template: EventTemplate): Promise<NostrEvent>
}

declare global {
  interface Window {
    nostr?: Nip07
  }
}

export function hasExtension(): boolean {
  return typeof window !== 'undefined' && window.nostr !== undefined
}

export function extensionSigner(): Signer {
  const nostr = window.nostr
  if (!nostr) throw new Error('No Nostr extension found in this browser. Install one (such as Alby or nos2x) or use a remote signer.')
  return { getPublicKey: () => nostr.getPublicKey(), signEvent: (t) => nostr.signEvent(t) }
}

/** A remote signer and the means to let it go once the session is open. */
export interface RemoteSigner extends Signer {
  close(): void
}

/**
 * nostr-tools sends CLOSE for open subscriptions a microtask late, so destroying a pool right away makes
 * the browser log "WebSocket is already in CLOSING or CLOSED state": let those sends go first.
 */
export function destroyPool(pool: SimplePool): void {
  setTimeout(() => pool.destroy(), 50)
}

function remote(signer: BunkerSigner, pool: SimplePool): RemoteSigner {
  return {
    getPublicKey: () => signer.getPublicKey(),
    signEvent: (t) => signer.signEvent(t),
    close: () => {
      void signer.close()
      destroyPool(pool)
    },
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms)
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    )
  })
}

/** Connects to a `bunker://` URI (or name@domain that publishes one). */
export async function bunkerSigner(input: string, timeoutMs = 60_000): Promise<RemoteSigner> {
  const pointer = await parseBunkerInput(input.trim())
  if (!pointer) throw new Error('That is not a bunker URI. It starts with bunker:// and names at least one relay.')
  if (pointer.relays.length === 0) throw new Error('The bunker URI names no relay to reach the signer through.')
  const pool = new SimplePool()
  const signer = BunkerSigner.fromBunker(generateSecretKey(), pointer, { pool, onauth: (url) => window.open(url, '_blank', 'noopener') })
  try {
    await withTimeout(signer.connect(), timeoutMs, 'The remote signer did not answer. Check that it is online and approve the connection.')
  } catch (err) {
    remote(signer, pool).close()
    throw err instanceof Error ? err : new Error(String(err))
  }
  return remote(signer, pool)
}

export interface NostrConnectSession {
  uri: string
  /** Resolves once a signer app has scanned the code and connected. */
  signer: Promise<RemoteSigner>
  cancel(): void
}

/** A nostrconnect:// URI to show as a QR code; the signer app connects to us through `relays`. */
export function nostrConnect(relays: string[], appName = 'Caravel'): NostrConnectSession {
  const clientSecret = generateSecretKey()
  const secret = bytesToHex(generateSecretKey()).slice(0, 16)
  const uri = createNostrConnectURI({
    clientPubkey: getPublicKey(clientSecret),
    relays,
    secret,
    name: appName,
    url: location.origin,
    perms: ['sign_event:27235'],
  })
  const pool = new SimplePool()
  const abort = new AbortController()
  const signer = BunkerSigner.fromURI(clientSecret, uri, { pool }, abort.signal).then((s) => remote(s, pool))
  signer.catch(() => destroyPool(pool))
  return { uri, signer, cancel: () => abort.abort() }
}
