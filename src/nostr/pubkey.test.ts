import { npubEncode, nprofileEncode } from 'nostr-tools/nip19'
import { describe, expect, it } from 'vitest'
import { parsePubkey } from './pubkey.js'

const hex = '3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d'

describe('parsePubkey', () => {
  it('accepts hex in any case, npub, nprofile and the nostr: prefix, trimmed', () => {
    for (const input of [hex, hex.toUpperCase(), ` ${hex} `, npubEncode(hex), `nostr:${npubEncode(hex)}`, nprofileEncode({ pubkey: hex, relays: ['wss://r.example'] })]) {
      expect(parsePubkey(input)).toEqual({ ok: true, pubkey: hex })
    }
  })
  it('refuses nsec distinctly and garbage generally', () => {
    expect(parsePubkey('nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5')).toEqual({ ok: false, code: 'nsec-not-allowed' })
    for (const bad of ['', 'abc', hex.slice(1), `npub1${'q'.repeat(58)}`, 42, null]) {
      expect(parsePubkey(bad)).toEqual({ ok: false, code: 'invalid-pubkey' })
    }
  })
})
