// `caravel serve` wires billing and Lightning to the robot: a failed payment records a "payment due" DM, a failed
// auto-pay an "auto-pay failed" DM, suspension and reactivation theirs, each once per cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeWallet } from '../helpers/fake-wallet.js'
import { billingWorld, type BillingWorld } from './harness.js'

let w: BillingWorld
let wallet: FakeWallet
beforeAll(async () => {
  wallet = new FakeWallet()
  await wallet.start()
  w = await billingWorld(
    { ROBOT_WALLET: await wallet.connect('operator'), BTC_PRICE_USD_OVERRIDE: '50000', BILLING_GRACE_DAYS: '0' },
    { billing: { lightning: { payTimeoutMs: 1500 } } },
  )
}, 60_000)
afterAll(async () => {
  await w.close()
  await wallet.close()
})

const notifications = (recipient: string) =>
  w.server.platform.db.raw<{ id: string; kind: string; text: string }>('SELECT id, kind, text FROM notification WHERE recipient = ? ORDER BY created_at, id', [recipient])

describe('billing notices', () => {
  it('records payment due, auto-pay failed, suspended and reactivated DMs for the tenant', async () => {
    const t = w.tenant()
    await w.api(t, 'POST', '/api/tenants')
    await w.api(t, 'PUT', `/api/tenants/${t.pk}`, { nwc_url: await wallet.connect('empty', { balanceMsats: 0 }) })
    const relay = (await w.api(t, 'POST', '/api/relays', { subdomain: 'notice-club', plan: 'basic' })).data
    await w.settle()
    await w.server.robot.idle()
    const customer = [...w.stripe.customers.values()].find((c) => c.metadata.tenant_pubkey === t.pk)!
    const invoice = [...w.stripe.invoices.values()].find((i) => i.customer === customer.id)!
    let kinds = (await notifications(t.pk)).map((n) => n.kind)
    expect(kinds).toEqual(expect.arrayContaining(['payment-due', 'autopay-failed', 'relay-ready', 'relay-suspended']))
    const due = (await notifications(t.pk)).find((n) => n.kind === 'payment-due')!
    expect(due.id).toBe(`payment-due:${invoice.id}`)
    expect(due.text).toContain('$5.00')
    expect((await notifications(t.pk)).find((n) => n.kind === 'autopay-failed')!.text).toBe('NWC auto-payment failed: INSUFFICIENT_BALANCE: not enough sats')

    // Paying brings the relay back, with its DM; delivering the failure again records nothing new.
    await w.stripe.payInvoice(invoice.id)
    await w.settle()
    await w.server.robot.idle()
    expect((await w.api(t, 'GET', `/api/relays/${relay.id}`)).data.status).toBe('active')
    kinds = (await notifications(t.pk)).map((n) => n.kind)
    expect(kinds.filter((k) => k === 'relay-reactivated')).toHaveLength(1)
    expect(kinds.filter((k) => k === 'payment-due')).toHaveLength(1)
  })
})

describe('Stripe customer name', () => {
  it("takes the tenant's display name from their Nostr profile on the indexer relays", async () => {
    const { LocalNostrRelay } = await import('../helpers/nostr-relay.js')
    const { sign } = await import('../engine/helpers.js')
    const indexer = new LocalNostrRelay()
    await indexer.start()
    const named = await billingWorld({ ROBOT_INDEXER_RELAYS: indexer.url })
    try {
      const t = named.tenant()
      indexer.publish(sign(t, { kind: 0, content: JSON.stringify({ name: 'alice', display_name: 'Alice of the Club' }) }))
      const anonymous = named.tenant()
      const customer = (await named.api(t, 'POST', '/api/tenants')).data.stripe_customer_id
      expect(named.stripe.customers.get(customer)!.name).toBe('Alice of the Club')
      const other = (await named.api(anonymous, 'POST', '/api/tenants')).data.stripe_customer_id
      expect(named.stripe.customers.get(other)!.name ?? null).toBeNull()
    } finally {
      await named.close()
      await indexer.close()
    }
  })
})

describe('renewal reminders', () => {
  it('reminds, a few days before renewal, only tenants with no card and no working wallet, once per period', async () => {
    const { remindRenewals } = await import('../../src/billing/renewals.js')
    const gateway = w.server.billing!.gateway
    const nobody = w.tenant()
    const withCard = w.tenant()
    const withWallet = w.tenant()
    await w.api(withWallet, 'POST', '/api/tenants')
    await w.api(withWallet, 'PUT', `/api/tenants/${withWallet.pk}`, { nwc_url: await wallet.connect('renewal-wallet') })
    const card = (await w.api(withCard, 'POST', '/api/tenants')).data.stripe_customer_id
    w.stripe.attachCard(card)
    for (const [t, sub] of [[nobody, 'renew-a'], [withCard, 'renew-b'], [withWallet, 'renew-c']] as const) {
      await w.api(t, 'POST', '/api/relays', { subdomain: sub, plan: 'growth' })
    }
    await w.settle()
    const subscriptionOf = async (t: { pk: string }) => (await w.api(t as never, 'GET', `/api/tenants/${t.pk}`)).data.stripe_subscription_id as string
    const renewsAt = w.stripe.subscriptions.get(await subscriptionOf(nobody))!.items.data[0]!.current_period_end
    const reminded: { tenant: string }[] = []
    const notify = (n: { tenant: string }) => void reminded.push(n)
    // A week before: too early. Two days before: only the tenant with no way to pay.
    expect(await remindRenewals(w.server.platform, gateway, notify, renewsAt - 7 * 86_400)).toBe(0)
    await remindRenewals(w.server.platform, gateway, notify, renewsAt - 2 * 86_400)
    expect(reminded.map((r) => r.tenant)).toContain(nobody.pk)
    expect(reminded.map((r) => r.tenant)).not.toContain(withCard.pk)
    expect(reminded.map((r) => r.tenant)).not.toContain(withWallet.pk)
    // Through the robot: one notice per subscription period, however often the check runs.
    const notice = reminded.find((r) => r.tenant === nobody.pk) as Parameters<typeof w.server.robot.renewalSoon>[0]
    expect(await w.server.robot.renewalSoon(notice)).toBe(true)
    expect(await w.server.robot.renewalSoon(notice)).toBe(false)
    const [row] = (await notifications(nobody.pk)).filter((n) => n.kind === 'renewal-reminder')
    expect(row!.text).toContain('$25.00')
    expect(row!.text).toContain('no working payment method')
  })
})

describe('card needs action', () => {
  it('sends the tenant to the hosted invoice page when the card needs confirmation', async () => {
    const t = w.tenant()
    const customer = (await w.api(t, 'POST', '/api/tenants')).data.stripe_customer_id
    w.stripe.attachCard(customer)
    w.stripe.failNextPayment(customer, 'requires_action')
    await w.api(t, 'POST', '/api/relays', { subdomain: 'needs-action', plan: 'basic' })
    await w.settle()
    await w.server.robot.idle()
    const invoice = [...w.stripe.invoices.values()].find((i) => i.customer === customer)!
    const [row] = (await notifications(t.pk)).filter((n) => n.kind === 'payment-action')
    expect(row!.id).toBe(`payment-action:${invoice.id}`)
    expect(row!.text).toContain(invoice.hosted_invoice_url!)
  })
})
