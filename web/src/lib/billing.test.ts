// The banner rules (suspended > past due > payment due; nothing with billing off) and what a paid plan bills.
import { describe, expect, it } from 'vitest'
import type { Invoice, Plan } from './api'
import { billingBanner, formatCents, formatSats, isPayable, planBillingNote, type BannerInput } from './billing'

const DAY = 86_400
const NOW = Date.UTC(2026, 0, 10, 12) / 1000
const open = (cents: number, due: number | null = null): Pick<Invoice, 'status' | 'amount_remaining' | 'currency' | 'due_date'> => ({
  status: 'open',
  amount_remaining: cents,
  currency: 'usd',
  due_date: due,
})
const paid = { status: 'paid', amount_remaining: 0, currency: 'usd', due_date: null }
const base: BannerInput = { billingEnabled: true, tenant: { past_due_at: null }, invoices: [], relays: [{ status: 'active', subdomain: 'club' }], now: NOW }

describe('billing banner', () => {
  it('shows nothing when all is paid, or when billing is off', () => {
    expect(billingBanner({ ...base, invoices: [paid] })).toBeNull()
    expect(
      billingBanner({ ...base, billingEnabled: false, tenant: { past_due_at: NOW }, invoices: [open(500)], relays: [{ status: 'delinquent', subdomain: 'club' }] }),
    ).toBeNull()
  })

  it('says a payment is due for an open invoice, with the amount and due date', () => {
    const b = billingBanner({ ...base, invoices: [open(500, NOW + 3 * DAY), open(2500), paid] })!
    expect(b.kind).toBe('payment-due')
    expect(b.tone).toBe('info')
    expect(b.text).toBe('$30.00 is open, due Jan 13, 2026. It is charged to your card or connected wallet automatically; you can also pay it now with Lightning.')
    // Drafts and zero amounts are not due.
    expect(billingBanner({ ...base, invoices: [{ ...open(500), status: 'draft' }, open(0)] })).toBeNull()
  })

  it('says since when a tenant is past due and what happens after the grace period', () => {
    const since = NOW - 2 * DAY
    const b = billingBanner({ ...base, tenant: { past_due_at: since }, invoices: [open(500)], graceDays: 7 })!
    expect(b.kind).toBe('past-due')
    expect(b.tone).toBe('warning')
    expect(b.text).toBe(
      'A payment failed on Jan 8, 2026 and $5.00 is still open. Pay with Lightning or update your card. ' +
        'If it is still unpaid on Jan 15, 2026 (7 days of grace), your paid relays are suspended until it is paid.',
    )
    // Without the grace days from the server, the rule in general words.
    expect(billingBanner({ ...base, tenant: { past_due_at: since }, invoices: [open(500)] })!.text).toContain(
      'If it stays unpaid past the grace period, your paid relays are suspended until it is paid.',
    )
    // Grace over but not yet suspended.
    expect(billingBanner({ ...base, tenant: { past_due_at: NOW - 8 * DAY }, graceDays: 7 })!.text).toBe(
      'A payment failed on Jan 2, 2026. Pay with Lightning or update your card. The grace period is over: your paid relays are about to be suspended until it is paid.',
    )
  })

  it('says which relays are suspended, before anything else', () => {
    const one = billingBanner({ ...base, tenant: { past_due_at: NOW - 9 * DAY }, invoices: [open(500)], relays: [{ status: 'delinquent', subdomain: 'club' }, { status: 'active', subdomain: 'free-one' }] })!
    expect(one.kind).toBe('suspended')
    expect(one.tone).toBe('error')
    expect(one.title).toBe('Relay suspended')
    expect(one.text).toBe(
      'Your relay club is suspended for an unpaid invoice: members cannot connect. Pay the $5.00 still open and it comes back at once, with everything it had.',
    )
    const three = billingBanner({
      ...base,
      relays: ['a-one', 'b-two', 'c-three'].map((subdomain) => ({ status: 'delinquent' as const, subdomain })),
    })!
    expect(three.title).toBe('Relays suspended')
    expect(three.text).toBe(
      'Your relays a-one, b-two and c-three are suspended for an unpaid invoice: members cannot connect. Pay the open invoice and they come back at once, with everything they had.',
    )
    // An inactive (deactivated) relay is not suspended.
    expect(billingBanner({ ...base, relays: [{ status: 'inactive', subdomain: 'club' }] })).toBeNull()
  })
})

const plan = (id: Plan['id'], amount: number): Plan => ({ id, name: id[0]!.toUpperCase() + id.slice(1), amount, members: null, blossom: false, livekit: false, stripe_price_id: null })
const free = plan('free', 0)
const basic = plan('basic', 500)
const growth = plan('growth', 2500)

describe('what a plan bills', () => {
  it('says nothing for free plans or with billing off', () => {
    expect(planBillingNote(free, { billingEnabled: true, hasSubscription: false })).toBeNull()
    expect(planBillingNote(basic, { billingEnabled: false, hasSubscription: false })).toBeNull()
    expect(planBillingNote(basic, { billingEnabled: true, hasSubscription: true, from: basic })).toBeNull()
  })

  it('explains a first paid relay: an invoice at once, then monthly', () => {
    expect(planBillingNote(basic, { billingEnabled: true, hasSubscription: false, lightning: true })).toBe(
      'The Basic plan costs $5.00 a month per relay. This starts your subscription: an invoice of $5.00 for the month from today is opened at once, ' +
        'then one each month on the same day. Pay it with Lightning right away, or by card or connected wallet.',
    )
    expect(planBillingNote(basic, { billingEnabled: true, hasSubscription: false, from: free })).toContain('It is charged to your card.')
  })

  it('explains prorations on a running subscription', () => {
    expect(planBillingNote(basic, { billingEnabled: true, hasSubscription: true })).toBe(
      'The Basic plan adds $5.00 a month to your subscription from today; the part of this month left is added to your next monthly invoice.',
    )
    expect(planBillingNote(growth, { billingEnabled: true, hasSubscription: true, from: basic })).toBe(
      'This relay moves from $5.00 a month to $25.00 a month on your subscription, from today. The difference for the rest of this month is added to your next monthly invoice.',
    )
    expect(planBillingNote(basic, { billingEnabled: true, hasSubscription: true, from: growth })).toContain('The saving for the rest of this month is credited on')
    expect(planBillingNote(free, { billingEnabled: true, hasSubscription: true, from: basic })).toBe(
      'This relay leaves your subscription: from today it is free, and the unused part of this month ($5.00 a month) is credited on your next invoice.',
    )
  })
})

describe('money', () => {
  it('formats cents and sats', () => {
    expect(formatCents(500)).toBe('$5.00')
    expect(formatCents(123456, 'usd')).toBe('$1,234.56')
    expect(formatCents(500, 'eur')).toBe('€5.00')
    expect(formatSats(10_000)).toBe('10,000 sats')
  })

  it('only open invoices with something left are payable', () => {
    expect(isPayable({ status: 'open', amount_remaining: 1 })).toBe(true)
    expect(isPayable({ status: 'open', amount_remaining: 0 })).toBe(false)
    expect(isPayable({ status: 'paid', amount_remaining: 0 })).toBe(false)
    expect(isPayable({ status: 'draft', amount_remaining: 500 })).toBe(false)
  })
})
