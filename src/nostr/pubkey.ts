// NIP-19/NIP-21 pubkey input: npub, nprofile, optional `nostr:` prefix, or 64-char hex in any case.
import { decode } from 'nostr-tools/nip19'

export type PubkeyParse = { ok: true; pubkey: string } | { ok: false; code: 'invalid-pubkey' | 'nsec-not-allowed' }

const HEX64 = /^[0-9a-f]{64}$/

export function isHexPubkey(value: string): boolean {
  return HEX64.test(value)
}

export function parsePubkey(input: unknown): PubkeyParse {
  if (typeof input !== 'string') return { ok: false, code: 'invalid-pubkey' }
  let value = input.trim()
  if (value.toLowerCase().startsWith('nostr:')) value = value.slice(6)
  if (value.toLowerCase().startsWith('nsec1')) return { ok: false, code: 'nsec-not-allowed' }
  const lower = value.toLowerCase()
  if (HEX64.test(lower)) return { ok: true, pubkey: lower }
  if (lower.startsWith('npub1') || lower.startsWith('nprofile1')) {
    try {
      const decoded = decode(lower)
      if (decoded.type === 'npub') return { ok: true, pubkey: decoded.data }
      if (decoded.type === 'nprofile') return { ok: true, pubkey: decoded.data.pubkey }
    } catch {
      // fall through: not valid bech32
    }
  }
  return { ok: false, code: 'invalid-pubkey' }
}
