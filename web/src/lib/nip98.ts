// NIP-98 for the browser: the one signed request that opens a session. `u` is this page's origin + path
// (+ query), the method upper-case, and `payload` the sha256 of the exact body string that will be sent.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import type { EventTemplate, NostrEvent } from 'nostr-tools/pure'

export const NIP98_KIND = 27235

export interface Signer {
  getPublicKey(): Promise<string>
  signEvent(template: EventTemplate): Promise<NostrEvent>
}

export function payloadHash(body: string): string {
  return bytesToHex(sha256(utf8ToBytes(body)))
}

export function nip98Template(url: string, method: string, body?: string, now = Math.floor(Date.now() / 1000)): EventTemplate {
  const tags = [
    ['u', url],
    ['method', method.toUpperCase()],
    // Two identical requests in the same second must not share an event id (the server refuses replays).
    ['nonce', bytesToHex(randomBytes(8))],
  ]
  if (body !== undefined && body.length > 0) tags.push(['payload', payloadHash(body)])
  return { kind: NIP98_KIND, created_at: now, tags, content: '' }
}

function base64Utf8(text: string): string {
  let binary = ''
  for (const byte of utf8ToBytes(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** A fresh `Authorization` header; sign right before sending, and again on any retry. */
export async function nip98Header(signer: Signer, url: string, method: string, body?: string): Promise<string> {
  const event = await signer.signEvent(nip98Template(url, method, body))
  return `Nostr ${base64Utf8(JSON.stringify(event))}`
}
