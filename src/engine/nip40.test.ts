import { expect, it } from 'vitest'
import type { NostrEvent } from 'nostr-tools/pure'
import { expirationOf, isExpired } from './nip40.js'

const ev = (tags: string[][]) => ({ tags }) as NostrEvent

it('reads the expiration tag and compares with now', () => {
  expect(expirationOf(ev([['expiration', '100']]))).toBe(100)
  expect(expirationOf(ev([['expiration', 'soon']]))).toBeUndefined()
  expect(isExpired(ev([['expiration', '100']]), 100)).toBe(true)
  expect(isExpired(ev([['expiration', '100']]), 99)).toBe(false)
  expect(isExpired(ev([]), 1e12)).toBe(false)
})
