// The wallet-connect URI check the account page runs as it is typed: the API's own parser, in words.
import { describe, expect, it } from 'vitest'
import { describeError, walletErrorText } from './errors'
import { walletUriMessage } from './wallet'

const pk = 'a'.repeat(64)
const secret = 'b'.repeat(64)

describe('wallet-connect URI', () => {
  it('accepts what the API accepts', () => {
    for (const ok of [
      `nostr+walletconnect://${pk}?relay=wss://relay.example&secret=${secret}`,
      `nostr+walletconnect://${pk.toUpperCase()}?relay=ws://localhost:7777&relay=wss://two.example/&secret=${secret}&lud16=me@example.com`,
      `  nostr+walletconnect://${pk}?secret=${secret}&relay=wss%3A%2F%2Frelay.example  `,
    ]) {
      expect(walletUriMessage(ok)).toBeNull()
    }
  })

  it('explains each refusal in words', () => {
    expect(walletUriMessage('')).toBe('Paste the wallet-connect URI from your wallet (it starts with nostr+walletconnect://).')
    const shape = 'A wallet-connect URI starts with nostr+walletconnect:// followed by the wallet’s 64-character public key, then ?relay=…&secret=….'
    expect(walletUriMessage('https://getalby.com')).toBe(shape)
    expect(walletUriMessage(`nostr+walletconnect://${pk.slice(1)}?relay=wss://r.example&secret=${secret}`)).toBe(shape)
    expect(walletUriMessage(`nostr+walletconnect://${pk}`)).toBe(shape)
    expect(walletUriMessage(`nostr+walletconnect://${pk}?secret=${secret}`)).toBe('This wallet-connect URI names no relay (relay=wss://…).')
    expect(walletUriMessage(`nostr+walletconnect://${pk}?relay=https://r.example&secret=${secret}`)).toBe(
      'The relay in this wallet-connect URI must be a wss:// (or ws://) address.',
    )
    expect(walletUriMessage(`nostr+walletconnect://${pk}?relay=not a url&secret=${secret}`)).toBe(
      'The relay in this wallet-connect URI must be a wss:// (or ws://) address.',
    )
    expect(walletUriMessage(`nostr+walletconnect://${pk}?relay=wss://r.example&secret=xyz`)).toBe(
      'The secret in this wallet-connect URI must be 64 hexadecimal characters.',
    )
    expect(walletUriMessage(`nostr+walletconnect://${pk}?relay=wss://r.example`)).toBe('The secret in this wallet-connect URI must be 64 hexadecimal characters.')
    expect(walletUriMessage(`nostr+walletconnect://${pk}?relay=wss://r.example&secret=${secret}&x=${'y'.repeat(2048)}`)).toBe(
      'This wallet-connect URI is too long (at most 2048 characters).',
    )
  })

  it('gives the API’s 422 the same words as the browser check', () => {
    expect(describeError('invalid-nwc-url', 'invalid wallet-connect URI: secret must be 64 hex characters')).toBe(
      walletUriMessage(`nostr+walletconnect://${pk}?relay=wss://r.example&secret=xyz`),
    )
    expect(describeError('invalid-nwc-url', 'invalid wallet-connect URI: something new')).toBe('This wallet-connect URI cannot be used: Something new.')
  })
})

describe('auto-pay errors', () => {
  it('turns the stored NIP-47 code into words and keeps the wallet’s message', () => {
    expect(walletErrorText('INSUFFICIENT_BALANCE: not enough sats')).toEqual({ words: 'Your wallet did not have enough sats to pay.', detail: 'not enough sats' })
    expect(walletErrorText('QUOTA_EXCEEDED: budget used').words).toContain('budget')
    expect(walletErrorText('SOMETHING_ELSE: odd')).toEqual({ words: 'Your wallet refused the payment.', detail: 'odd' })
    expect(walletErrorText('no code at all')).toEqual({ words: 'Your wallet refused the payment.', detail: 'no code at all' })
  })

  it('says payment-in-progress in words', () => {
    expect(describeError('payment-in-progress', 'a wallet payment of this invoice is still in progress; try again in a few minutes')).toBe(
      'Your connected wallet is still paying this invoice. Wait a few minutes before paying it another way, so it is not paid twice.',
    )
  })
})
