// The subscription follows the tenant's active paid relays: one item per paid price, quantity = active relays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { billingWorld, type BillingWorld } from './harness.js'

let w: BillingWorld
beforeAll(async () => {
  w = await billingWorld()
})
afterAll(() => w.close())

const itemsOf = (w: BillingWorld, subscriptionId: string) =>
  w.stripe.subscriptions
    .get(subscriptionId)!
    .items.data.map((i) => [i.price.id, i.quantity])
    .sort()

describe('Stripe subscriptions', () => {
  it('creates the customer with the tenant, once', async () => {
    const t = w.tenant()
    const first = await w.api(t, 'POST', '/api/tenants')
    expect(first.status).toBe(201)
    const customer = first.data.stripe_customer_id
    expect(customer).toMatch(/^cus_/)
    expect(w.stripe.customers.get(customer)!.metadata).toEqual({ tenant_pubkey: t.pk })
    await w.api(t, 'POST', '/api/tenants')
    await w.settle()
    expect([...w.stripe.customers.values()].filter((c) => c.metadata.tenant_pubkey === t.pk)).toHaveLength(1)
    expect((await w.api(t, 'GET', '/api/config')).data.billing_enabled).toBe(true)
  })

  it('adds, moves and removes items as relays are created, re-planned and deactivated', async () => {
    const t = w.tenant()
    // A tenant with a card: every invoice is paid, so nothing here is past due.
    w.stripe.attachCard((await w.api(t, 'POST', '/api/tenants')).data.stripe_customer_id)
    const a = (await w.api(t, 'POST', '/api/relays', { subdomain: 'bill-a', plan: 'basic' })).data
    await w.settle()
    let tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
    const sub = tenant.stripe_subscription_id
    expect(sub).toMatch(/^sub_/)
    expect(itemsOf(w, sub)).toEqual([['price_basic', 1]])
    expect(w.stripe.subscriptions.get(sub)!.metadata).toEqual({ tenant_pubkey: t.pk })

    const b = (await w.api(t, 'POST', '/api/relays', { subdomain: 'bill-b', plan: 'basic' })).data
    await w.api(t, 'POST', '/api/relays', { subdomain: 'bill-free', plan: 'free' })
    await w.settle()
    expect(itemsOf(w, sub)).toEqual([['price_basic', 2]])

    await w.api(t, 'PUT', `/api/relays/${a.id}`, { plan: 'growth' })
    await w.settle()
    expect(itemsOf(w, sub)).toEqual([
      ['price_basic', 1],
      ['price_growth', 1],
    ])

    await w.api(t, 'POST', `/api/relays/${b.id}/deactivate`)
    await w.settle()
    expect(itemsOf(w, sub)).toEqual([['price_growth', 1]])

    await w.api(t, 'POST', `/api/relays/${a.id}/deactivate`)
    await w.settle()
    expect(w.stripe.subscriptions.get(sub)!.status).toBe('canceled')
    tenant = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
    expect(tenant.stripe_subscription_id).toBeNull()
    // Cancelling ours is not a missed payment.
    expect(tenant.past_due_at).toBeNull()
    expect(w.stripe.eventsOfType('customer.subscription.deleted').some((e) => (e.data.object as { id: string }).id === sub)).toBe(true)
    expect(w.stripe.requestCount('POST /v1/subscriptions', { replays: false })).toBeGreaterThanOrEqual(1)

    // Reactivating creates a new subscription (a new idempotency key: the old one was cancelled).
    await w.api(t, 'POST', `/api/relays/${a.id}/activate`)
    await w.settle()
    const again = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data.stripe_subscription_id
    expect(again).toMatch(/^sub_/)
    expect(again).not.toBe(sub)
    expect(itemsOf(w, again)).toEqual([['price_growth', 1]])
  })

  it('recreates a subscription that vanished or was cancelled in Stripe', async () => {
    const t = w.tenant()
    await w.api(t, 'POST', '/api/relays', { subdomain: 'bill-vanish', plan: 'basic' })
    await w.settle()
    const sub = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data.stripe_subscription_id
    w.stripe.attachCard(w.stripe.subscriptions.get(sub)!.customer)
    await w.stripe.cancelExternally(sub)
    await w.settle()
    const replaced = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data
    expect(replaced.stripe_subscription_id).toMatch(/^sub_/)
    expect(replaced.stripe_subscription_id).not.toBe(sub)
    expect(itemsOf(w, replaced.stripe_subscription_id)).toEqual([['price_basic', 1]])

    w.stripe.forgetSubscription(replaced.stripe_subscription_id)
    await w.server.billing!.reconciler.reconcileAll()
    await w.settle()
    const third = (await w.api(t, 'GET', `/api/tenants/${t.pk}`)).data.stripe_subscription_id
    expect(third).not.toBe(replaced.stripe_subscription_id)
    expect(w.stripe.subscriptions.get(third)!.status).not.toBe('canceled')
  })

  it('lists invoices and opens the customer portal', async () => {
    const t = w.tenant()
    await w.api(t, 'POST', '/api/relays', { subdomain: 'bill-invoices', plan: 'growth' })
    await w.settle()
    const invoices = await w.api(t, 'GET', `/api/tenants/${t.pk}/invoices`)
    expect(invoices.status).toBe(200)
    expect(invoices.data.items).toHaveLength(1)
    expect(invoices.data.items[0]).toMatchObject({ amount_due: 2500, currency: 'usd' })
    expect(invoices.data.items[0].id).toMatch(/^in_/)
    const portal = await w.api(t, 'POST', `/api/tenants/${t.pk}/portal`)
    expect(portal.data.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/portal\//)
    const session = [...w.stripe.portalSessions.values()].at(-1)!
    expect(session.return_url).toBe(`${w.base}/account`)
  })

  it('answers 503 billing-unavailable, not 500, while Stripe cannot be reached', async () => {
    const t = w.tenant()
    await w.api(t, 'POST', '/api/relays', { subdomain: 'bill-down', plan: 'basic' })
    await w.settle()
    await w.stripe.close()
    const invoices = await w.api(t, 'GET', `/api/tenants/${t.pk}/invoices`)
    expect(invoices.status).toBe(503)
    expect(invoices.code).toBe('billing-unavailable')
    expect((await w.api(t, 'POST', `/api/tenants/${t.pk}/portal`)).code).toBe('billing-unavailable')
  })
})
