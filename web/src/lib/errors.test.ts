import { describe, expect, it } from 'vitest'
import { ApiError, describeError, errorText, ERROR_MESSAGES } from './errors'

describe('error words', () => {
  it('maps codes to words, keeping the server detail where it is the point', () => {
    expect(describeError('subdomain-exists', 'this subdomain is already taken')).toBe('This subdomain is already taken. Choose another one.')
    expect(describeError('member-limit-exceeded', 'this relay has 11 members and the Free plan allows 10; remove members before changing plan')).toBe(
      'This relay has 11 members and the Free plan allows 10; remove members before changing plan.',
    )
    expect(describeError('plan-lacks-feature', 'the Free plan does not include LiveKit')).toBe(
      'The Free plan does not include LiveKit. Choose a plan that includes it first.',
    )
    expect(describeError('session-invalid', 'your session has expired; sign in again')).toBe('Your session has expired. Sign in again.')
  })

  it('falls back to the server message for an unknown code, and to the code without one', () => {
    expect(describeError('brand-new-code', 'something specific happened')).toBe('Something specific happened.')
    expect(describeError('brand-new-code')).toBe('Something went wrong (brand-new-code).')
  })

  it('covers every error code the API can answer with', () => {
    const apiCodes = [
      'auth-missing', 'auth-malformed', 'auth-kind', 'auth-signature', 'auth-expired', 'auth-url', 'auth-method', 'auth-payload-missing',
      'auth-payload', 'auth-replay', 'session-invalid', 'origin-mismatch', 'forbidden', 'not-found', 'relay-not-found', 'tenant-not-found',
      'plan-not-found', 'invalid-subdomain', 'subdomain-reserved', 'subdomain-exists', 'unknown-plan', 'plan-lacks-feature',
      'member-limit-exceeded', 'relay-is-inactive', 'relay-is-active', 'relay-is-delinquent', 'engine-unavailable', 'invalid-url',
      'invalid-pubkey', 'field-too-long', 'invalid-field', 'missing-field', 'unknown-field', 'invalid-json', 'invalid-cursor',
      'body-too-large', 'unsupported-media-type', 'internal-error',
      // billing and Lightning
      'billing-disabled', 'lightning-disabled', 'invoice-not-found', 'invoice-not-open', 'payment-in-progress', 'payment-changed',
      'price-unavailable', 'invalid-amount', 'invalid-nwc-url',
      // engines
      'unknown-engine', 'already-on-engine', 'move-in-progress', 'move-failed', 'move-abandoned', 'relay-moving',
    ]
    expect(apiCodes.filter((c) => !(c in ERROR_MESSAGES))).toEqual([])
  })

  it('gives people the words, not the code', () => {
    const err = new ApiError(409, 'subdomain-exists', 'this subdomain is already taken')
    expect(err.message).toBe('This subdomain is already taken. Choose another one.')
    expect(errorText(err)).toBe(err.message)
    expect(errorText(new Error('signer rejected'))).toBe('Signer rejected.')
  })
})
