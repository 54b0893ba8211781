import { npubEncode } from 'nostr-tools/nip19'

export function npub(pubkey: string): string {
  try {
    return npubEncode(pubkey)
  } catch {
    return pubkey
  }
}

/** `npub1abcd…wxyz`: enough to recognise, short enough for a phone. */
export function shortNpub(pubkey: string): string {
  const full = npub(pubkey)
  return full.length > 20 ? `${full.slice(0, 10)}…${full.slice(-4)}` : full
}

export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleDateString(undefined, { dateStyle: 'medium' })
}
