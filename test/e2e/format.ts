import { npubEncode } from 'nostr-tools/nip19'

/** The dashboard's short npub (`npub1abcdefg…wxyz`), computed independently of web/src/lib/format.ts. */
export function shortNpubForTest(pubkey: string): string {
  const n = npubEncode(pubkey)
  return `${n.slice(0, 10)}…${n.slice(-4)}`
}
