import { expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { isProtectedEvent } from './nip70.js'

it('detects the ["-"] tag', () => {
  expect(isProtectedEvent({ tags: [['-']] } as unknown as NostrEvent)).toBe(true)
  expect(isProtectedEvent({ tags: [['t', '-']] } as unknown as NostrEvent)).toBe(false)
})
