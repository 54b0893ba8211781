// Payment failed → past due → grace over → paid relays delinquent and off the engine → invoice paid → only the
// relays billing suspended come back; the one the tenant deactivated stays off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpRequest } from '../engine/helpers.js'
import { billingWorld, type BillingWorld } from './harness.js'

let w: BillingWorld
beforeAll(async () => {
  w = await billingWorld({ BILLING_GRACE_DAYS: '7' })
})
afterAll(() => w.close())

const nip11Status = async (subdomain: string) =>
  (await httpRequest(w.server.engine!.port, { host: `${subdomain}.localhost`, headers: { accept: 'application/nostr+json' } })).status

describe('dunning', () => {
  it('suspends paid relays after the grace period and brings back only those when the invoice is paid', async () => {
    const t = w.tenant()
    const paidA = (await w.api(t, 'POST', '/api/relays', { subdomain: 'dun-a', plan: 'basic' })).data
    const paidB = (await w.api(t, 'POST', '/api/relays', { subdomain: 'dun-b', plan: 'growth' })).data
    const free = (await w.api(t, 'POST', '/api/relays', { subdomain: 'dun-free', plan: 'free' })).data
    const mine = (await w.api(t, 'POST', '/api/relays', { subdomain: 'dun-mine', plan: 'basic' })).data
    await w.api(t, 'POST', `/api/relays/${mine.id}/deactivate`)
    await w.settle()

    // No card: the subscription's invoice fails, and the tenant is past due — but still served (grace).
    let tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
    expect(tenant.past_due_at).toEqual(expect.any(Number))
    expect(w.stripe.eventsOfType('invoice.payment_failed').length).toBeGreaterThanOrEqual(1)
    expect((await w.api(t, 'GET', `/api/relays/${paidA.id}`)).data.status).toBe('active')
    expect(await w.server.billing!.checkGrace()).toBe(0)

    // Eight days later.
    await w.server.platform.db.raw('UPDATE tenant SET past_due_at = past_due_at - 8 * 86400 WHERE pubkey = ?', [t.pk])
    expect(await w.server.billing!.checkGrace()).toBe(2)
    await w.settle()
    const status = async (id: string) => (await w.api(t, 'GET', `/api/relays/${id}`)).data.status
    expect([await status(paidA.id), await status(paidB.id), await status(free.id), await status(mine.id)]).toEqual(['delinquent', 'delinquent', 'active', 'inactive'])
    expect(await nip11Status('dun-a')).toBe(404)
    expect(await nip11Status('dun-free')).toBe(200)
    const activity = (await w.api(t, 'GET', `/api/relays/${paidA.id}/activity`)).data.items.map((a: { activity_type: string }) => a.activity_type)
    expect(activity).toContain('mark_relay_delinquent')

    // A delinquent relay cannot be reactivated by its tenant…
    expect((await w.api(t, 'POST', `/api/relays/${paidA.id}/activate`)).code).toBe('relay-is-delinquent')

    // …but paying does it.
    const open = [...w.stripe.invoices.values()].filter((i) => i.customer === tenant.stripe_customer_id && i.status === 'open')
    expect(open.length).toBeGreaterThanOrEqual(1)
    await w.stripe.payInvoice(open[0]!.id)
    await w.settle()
    const subscription = tenant.stripe_subscription_id
    tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
    expect(tenant.past_due_at).toBeNull()
    // Suspended relays stayed on the same subscription: paying does not start a second, overlapping one.
    expect(tenant.stripe_subscription_id).toBe(subscription)
    expect(w.stripe.subscriptions.get(subscription)!.items.data.map((i) => [i.price.id, i.quantity]).sort()).toEqual([
      ['price_basic', 1],
      ['price_growth', 1],
    ])
    expect([await status(paidA.id), await status(paidB.id), await status(free.id), await status(mine.id)]).toEqual(['active', 'active', 'active', 'inactive'])
    expect(await nip11Status('dun-a')).toBe(200)
    expect(await nip11Status('dun-mine')).toBe(404)
  })

  it('suspends at once with a grace of zero days', async () => {
    const zero = await billingWorld({ BILLING_GRACE_DAYS: '0' })
    try {
      const t = zero.tenant()
      const relay = (await zero.api(t, 'POST', '/api/relays', { subdomain: 'dun-zero', plan: 'basic' })).data
      await zero.settle()
      expect((await zero.api(t, 'GET', `/api/relays/${relay.id}`)).data.status).toBe('delinquent')
    } finally {
      await zero.close()
    }
  })
})
