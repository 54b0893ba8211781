import { describe, expect, it } from 'vitest'
import { SecretBox } from './secret-box.js'

const k1 = '11'.repeat(32)
const k2 = '22'.repeat(32)

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox(k1)
    const sealed = box.seal('nostr+walletconnect://abc?secret=xyz')
    expect(sealed).not.toContain('walletconnect')
    expect(box.open(sealed)).toBe('nostr+walletconnect://abc?secret=xyz')
  })

  it('uses a fresh nonce per value', () => {
    const box = new SecretBox(k1)
    expect(box.seal('same')).not.toBe(box.seal('same'))
  })

  it('refuses a value sealed under another key or tampered with', () => {
    const sealed = new SecretBox(k1).seal('secret')
    expect(() => new SecretBox(k2).open(sealed)).toThrow()
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA')
    expect(() => new SecretBox(k1).open(tampered)).toThrow()
  })
})
