import { describe, expect, it } from 'vitest'
import { nsecEncode } from 'nostr-tools/nip19'
import { generateSecretKey } from 'nostr-tools/pure'
import { AUTOPAY_FAILED_MAX, notificationIds, sanitizeReason, texts, utcDay } from './texts.js'

const walletSecret = 'b'.repeat(64)
const walletUri = `nostr+walletconnect://${'a'.repeat(64)}?relay=wss%3A%2F%2Frelay.example&secret=${walletSecret}`

describe('texts', () => {
  it('auto-pay failed: the fixed prefix, at most 240 characters, no wallet URI or secret', () => {
    const text = texts.autopayFailed(`INSUFFICIENT_BALANCE: cannot pay from ${walletUri} ${'x'.repeat(400)}`)
    expect(text.startsWith('NWC auto-payment failed: INSUFFICIENT_BALANCE: cannot pay from [wallet]')).toBe(true)
    expect(text.length).toBeLessThanOrEqual(AUTOPAY_FAILED_MAX)
    expect(text.length).toBe(AUTOPAY_FAILED_MAX)
    expect(text).not.toContain('walletconnect')
    expect(text).not.toContain(walletSecret)
    expect(texts.autopayFailed('short')).toBe('NWC auto-payment failed: short')
    expect(texts.autopayFailed('   ')).toBe('NWC auto-payment failed: unknown error')
  })

  it('sanitizeReason removes secrets of every shape', () => {
    expect(sanitizeReason(`bad ${walletSecret} and ${nsecEncode(generateSecretKey())} done`)).toBe('bad [redacted] and [redacted] done')
  })

  it('links and names what the tenant needs', () => {
    expect(texts.relayReady('wss://a.relays.example', 'My relay')).toBe('Your relay "My relay" is ready: wss://a.relays.example')
    expect(texts.paymentDue('https://app.example', 1234)).toContain('$12.34')
    expect(texts.paymentDue('https://app.example')).toContain('https://app.example')
    expect(texts.relaySuspended('wss://a.relays.example', 'https://app.example')).toContain('wss://a.relays.example')
    expect(texts.relayReactivated('wss://a.relays.example')).toContain('active again')
    expect(texts.pastDue('https://app.example', 0, 7 * 86_400)).toContain('suspended on 1970-01-08')
    expect(texts.pastDue('https://app.example', 0, undefined)).toContain('stay suspended')
  })

  it('ids name the cause', () => {
    expect(notificationIds.relayReady('r1')).toBe('relay-ready:r1')
    expect(notificationIds.paymentDue('in_1')).toBe('payment-due:in_1')
    expect(notificationIds.autopayFailed('in_1', 2)).toBe('autopay-failed:in_1:2')
    expect(notificationIds.pastDue('pk', utcDay(86_400 * 3 + 5))).toBe('past-due:pk:1970-01-04')
    expect(notificationIds.suspended('r1', 'a1')).toBe('suspended:r1:a1')
    expect(notificationIds.reactivated('r1', 'a1')).toBe('reactivated:r1:a1')
  })
})
