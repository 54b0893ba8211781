import { describe, expect, it } from 'vitest'
import type { Plan } from './api'
import { formatMembers, formatPrice, planChangeProblem, priceHere, TOGGLES, toggleBlockedReason } from './plans'

// The plans as GET /api/plans serves them.
const PLANS: Plan[] = [
  { id: 'free', name: 'Free', amount: 0, members: 10, blossom: false, livekit: false, stripe_price_id: null },
  { id: 'basic', name: 'Basic', amount: 500, members: 100, blossom: true, livekit: true, stripe_price_id: null },
  { id: 'growth', name: 'Growth', amount: 2500, members: null, blossom: true, livekit: true, stripe_price_id: null },
]
const [free, basic, growth] = PLANS as [Plan, Plan, Plan]
const toggle = (key: string) => TOGGLES.find((t) => t.key === key)!
const relay = (over: Partial<{ plan: string; blossom_enabled: boolean; livekit_enabled: boolean }> = {}) => ({
  plan: 'basic',
  blossom_enabled: false,
  livekit_enabled: false,
  ...over,
})

describe('prices', () => {
  it('formats monthly prices and says plainly that plans are free with billing off', () => {
    expect(formatPrice(free)).toBe('Free')
    expect(formatPrice(basic)).toBe('$5 / month')
    expect(formatPrice({ ...basic, amount: 1250 })).toBe('$12.50 / month')
    expect(priceHere(basic, true)).toBe('$5 / month')
    expect(priceHere(basic, false)).toBe('Free here (list price $5 / month)')
    expect(priceHere(free, false)).toBe('Free')
  })

  it('shows members used against the limit', () => {
    expect(formatMembers({ used: 8, allowed: 10 })).toBe('8 / 10')
    expect(formatMembers({ used: 3, allowed: null })).toBe('3 / unlimited')
    expect(formatMembers(null)).toBe('unknown right now')
  })
})

describe('toggle gating', () => {
  it('blocks Blossom and LiveKit on a plan without them, naming the plans that have them', () => {
    expect(toggleBlockedReason(toggle('blossom_enabled'), free, PLANS)).toBe(
      'The Free plan does not include Blossom media. Switch to Basic or Growth to turn it on.',
    )
    expect(toggleBlockedReason(toggle('livekit_enabled'), free, PLANS)).toBe('The Free plan does not include LiveKit. Switch to Basic or Growth to turn it on.')
  })

  it('allows them on plans that include them, and never gates policies', () => {
    for (const plan of [basic, growth]) {
      expect(toggleBlockedReason(toggle('blossom_enabled'), plan, PLANS)).toBeNull()
      expect(toggleBlockedReason(toggle('livekit_enabled'), plan, PLANS)).toBeNull()
    }
    for (const key of ['policy_public_join', 'policy_strip_signatures', 'groups_enabled', 'management_enabled', 'push_enabled']) {
      expect(toggleBlockedReason(toggle(key), free, PLANS)).toBeNull()
    }
  })

  it('has a toggle for every flag of a relay', () => {
    expect(TOGGLES.map((t) => t.key).sort()).toEqual(
      ['blossom_enabled', 'groups_enabled', 'livekit_enabled', 'management_enabled', 'policy_public_join', 'policy_strip_signatures', 'push_enabled'].sort(),
    )
  })
})

describe('plan changes', () => {
  it('refuses a downgrade below the member count, with both numbers', () => {
    expect(planChangeProblem(relay(), { used: 11, allowed: 100 }, free)).toBe(
      'This relay has 11 members and the Free plan allows 10. Remove members before changing plan.',
    )
    expect(planChangeProblem(relay(), { used: 10, allowed: 100 }, free)).toBeNull()
  })

  it('refuses a plan lacking a feature that is on', () => {
    expect(planChangeProblem(relay({ blossom_enabled: true }), { used: 0, allowed: 100 }, free)).toBe(
      'The Free plan does not include Blossom media. Turn it off before changing plan.',
    )
    expect(planChangeProblem(relay({ blossom_enabled: true, livekit_enabled: true }), null, free)).toBe(
      'The Free plan does not include Blossom media or LiveKit. Turn them off before changing plan.',
    )
  })

  it('allows upgrades, unlimited plans and staying put', () => {
    expect(planChangeProblem(relay({ plan: 'free' }), { used: 10, allowed: 10 }, basic)).toBeNull()
    expect(planChangeProblem(relay(), { used: 5000, allowed: 100 }, growth)).toBeNull()
    expect(planChangeProblem(relay({ plan: 'free', blossom_enabled: true }), { used: 50, allowed: 10 }, free)).toBeNull()
  })
})
