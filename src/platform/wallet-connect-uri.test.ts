import { describe, expect, it } from 'vitest'
import { parseWalletConnectUri } from './wallet-connect-uri.js'

const wallet = 'ab'.repeat(32)
const secret = 'cd'.repeat(32)

describe('parseWalletConnectUri', () => {
  it('reads the wallet pubkey, every relay and the secret', () => {
    const parsed = parseWalletConnectUri(
      `nostr+walletconnect://${wallet}?relay=wss%3A%2F%2Fa.example&relay=wss://b.example/path&secret=${secret}&lud16=me%40x.example`,
    )
    expect(parsed).toMatchObject({ walletPubkey: wallet, relays: ['wss://a.example', 'wss://b.example/path'], secret, lud16: 'me@x.example' })
  })
  it('refuses URIs that cannot work', () => {
    for (const bad of [
      'https://wallet.example',
      `nostr+walletconnect://${wallet}`,
      `nostr+walletconnect://${wallet}?secret=${secret}`,
      `nostr+walletconnect://${wallet}?relay=https://a.example&secret=${secret}`,
      `nostr+walletconnect://${wallet}?relay=wss://a.example&secret=short`,
      `nostr+walletconnect://nothex?relay=wss://a.example&secret=${secret}`,
    ]) {
      expect(() => parseWalletConnectUri(bad), bad).toThrow(/invalid wallet-connect URI/)
    }
  })
  it('never echoes the secret in its errors', () => {
    try {
      parseWalletConnectUri(`nostr+walletconnect://${wallet}?relay=ftp://x&secret=${secret}`)
    } catch (err) {
      expect((err as Error).message).not.toContain(secret)
    }
  })
})
