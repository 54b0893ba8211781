import { describe, expect, it } from 'vitest'
import { DomainError } from './errors.js'
import { Plans } from './plans.js'
import { assertHttpUrl, assertPlanAllows, subdomainProblem } from './validation.js'

describe('subdomains', () => {
  it('accepts well-formed names', () => {
    for (const ok of ['abc', 'my-club', 'a1-b2-c3', 'x'.repeat(63)]) expect(subdomainProblem(ok)).toBeUndefined()
  })
  it('refuses malformed and reserved names with a reason code', () => {
    const cases: [string, string][] = [
      ['ab', 'invalid-subdomain'],
      ['x'.repeat(64), 'invalid-subdomain'],
      ['Abc', 'invalid-subdomain'],
      ['9lives', 'invalid-subdomain'],
      ['-abc', 'invalid-subdomain'],
      ['abc-', 'invalid-subdomain'],
      ['a--b', 'invalid-subdomain'],
      ['a b', 'invalid-subdomain'],
      ['www', 'subdomain-reserved'],
      ['api', 'subdomain-reserved'],
      ['relay', 'subdomain-reserved'],
    ]
    for (const [name, code] of cases) expect(subdomainProblem(name)?.code, name).toBe(code)
  })
})

describe('URLs and plan gates', () => {
  it('takes http(s) URLs only', () => {
    expect(() => assertHttpUrl('icon', 'https://x.example/i.png')).not.toThrow()
    expect(() => assertHttpUrl('icon', '')).not.toThrow()
    for (const bad of ['javascript:alert(1)', 'data:image/png;base64,xx', 'x.example/i.png']) {
      expect(() => assertHttpUrl('icon', bad)).toThrow(DomainError)
    }
  })
  it('refuses Blossom and LiveKit on the free plan only', () => {
    const plans = new Plans()
    expect(() => assertPlanAllows(plans.get('free')!, { blossom_enabled: true })).toThrow(/Blossom/)
    expect(() => assertPlanAllows(plans.get('free')!, { livekit_enabled: true })).toThrow(/LiveKit/)
    expect(() => assertPlanAllows(plans.get('basic')!, { blossom_enabled: true, livekit_enabled: true })).not.toThrow()
  })
  it('serves the configured Stripe prices for paid plans only', () => {
    const plans = new Plans({ basic: 'price_b', growth: 'price_g', free: 'price_f' })
    expect(plans.list.map((p) => p.stripe_price_id)).toEqual([null, 'price_b', 'price_g'])
  })
})
